// LuaBudget: what the sandbox of LuaScript shares with its guards (internal
// to LuaScript.cpp and LuaGuards.cpp).
//
// The count hook sees only Lua instructions. Library functions written in C
// loop without it (string.rep, pattern matching, table.move, ...), and the
// hook is off while a finalizer (__gc) runs, and while an xpcall message
// handler runs for an error the hook raised. The guards wrap those functions
// and charge their worst-case work to the same instruction budget, so no
// call of a script runs unbounded.
#pragma once

#include <cstddef>
#include <cstdint>

#include "LuaScript.h"

struct lua_State;

namespace dad::lua_budget {

// C loop steps counted as one instruction of the budget.
constexpr uint64_t kStepsPerInstruction = 16;

LuaScript::Budget* budgetOf(lua_State* L);

// Adds `instructions` to the running call's count; past the budget a Lua
// error "script:line: instruction budget of N exceeded (what)" that no pcall
// can swallow. Does not return then.
void charge(lua_State* L, double instructions, const char* what);

// Replaces string.rep/find/match/gmatch/gsub, table.concat/insert/move/
// remove/sort, setmetatable and xpcall in the global table with guarded versions.
// REQUIRES: the sandbox's libraries are open.
void installGuards(lua_State* L);

// The worst-case number of matching steps of a Lua pattern on a subject of
// `subjectLength` bytes (lstrlib backtracks once per repetition item).
double patternCost(const char* pattern, size_t length, size_t subjectLength, bool anchorable);

}  // namespace dad::lua_budget
