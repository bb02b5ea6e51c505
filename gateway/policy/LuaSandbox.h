// LuaSandbox: the environment of a policy script and what crosses between it
// and the gateway (internal to gateway/policy/Lua*.cpp). The host functions
// (log, deny, allow, now, dad.*) copy at most what the budget allows, and no
// C++ exception or destructor ever meets a Lua error.
#pragma once

#include <map>
#include <string>

#include "LuaScript.h"

struct lua_State;

namespace dad::lua_sandbox {

// What one action's arguments may hold: nesting depth, list items and
// table keys per level. More is not copied (documented in the admin guide).
constexpr int kMaxDepth = 4;
constexpr size_t kMaxItems = 10000;
constexpr size_t kMaxKeys = 1000;
constexpr size_t kMaxActions = 100;
constexpr size_t kMaxLogLines = 100;

// Builds the script's environment: the allowed libraries and functions only.
// REQUIRES: in a protected call.
void open(lua_State* L);

// Pushes the event table; strings longer than the script's string limit are cut.
// REQUIRES: in a protected call.
void pushEvent(lua_State* L, const std::map<std::string, LuaValue>& event);

}  // namespace dad::lua_sandbox
