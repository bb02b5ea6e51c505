// LuaScript: one admin-written Lua 5.4 policy script in its own sandbox.
//
// The sandbox: a separate lua_State per script; only the string (without
// string.dump), table, math and utf8 libraries, a few safe base functions,
// now() and log(); text chunks only (bytecode refused); no finalizers
// (__gc), no coroutines; reading an undefined global is an error, and the
// script's globals are frozen once it has loaded. Each call (and the load)
// is bounded by CPU time, instructions and memory (LuaBudget.h): library
// functions are charged by the bytes and elements they touch, and what the
// host copies for the script counts in its memory. Everything a call does
// runs inside one protected call, so no script can make the process abort;
// errors come back as "script:line: message", cut and escaped
// (printableExcerpt).
//
// Thread-safe: calls are serialized per script (each is bounded by the budget).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "Status.h"

struct lua_State;

namespace dad {

struct LuaLimits {
    size_t memoryBytes = 8 * 1024 * 1024;
    uint64_t instructions = 5'000'000;  // per call
    uint64_t callBudgetMs = 50;         // CPU time per call (and at load); 0: none
    size_t maxStringBytes = 1024 * 1024;
};

// A value handed to a script (event fields) or returned by one (action arguments).
struct LuaValue {
    enum class Kind { Nil, Boolean, Number, String, List, Table } kind = Kind::Nil;
    bool boolean = false;
    double number = 0;
    std::string text;
    std::vector<LuaValue> list;
    std::map<std::string, LuaValue> table;

    static LuaValue of(bool b);
    static LuaValue of(double n);
    static LuaValue of(int64_t n) { return of(static_cast<double>(n)); }
    static LuaValue of(const std::string& s);
    static LuaValue of(const char* s) { return of(std::string(s)); }
    static LuaValue listOf(const std::vector<std::string>& items);
};

// Read-only lookups a script may make during a hook, in the context of the
// event (dad.group). Absent ones answer nil and a message.
struct LuaLookups {
    // The addresses address-book group `name` stands for (Catalog::expandGroup).
    std::function<Status(const std::string& name, std::vector<std::string>& addresses)> group;
};

// What one call of a hook function answered.
struct LuaOutcome {
    enum class Answer { NoOpinion, Allow, Deny } answer = Answer::NoOpinion;
    std::string reason;
    // Actions the script asked for, in order: name and arguments (dad.<name>(...)).
    std::vector<std::pair<std::string, std::vector<LuaValue>>> actions;
    std::vector<std::string> logLines;
};

class LuaScript {
public:
    // Compiles and runs `source` (its top level defines the hook functions).
    // Refuses bytecode; an error, a runaway top level or a memory bomb gives
    // InvalidArgument with "name:line: message".
    static Status load(const std::string& name, const std::string& source, const LuaLimits& limits,
                       std::unique_ptr<LuaScript>& script);
    ~LuaScript();

    const std::string& name() const { return name_; }
    bool defines(const std::string& function) const;

    // Calls `function(event)`. A script that errors, exceeds its budget or its
    // memory gives an error Status ("name:line: message"); `outcome` then is
    // unspecified. Handles given to the script, and `lookups`, are valid only
    // during the call.
    Status call(const std::string& function, const std::map<std::string, LuaValue>& event,
                LuaOutcome& outcome, const LuaLookups* lookups = nullptr);

    // The state's bookkeeping, for the allocator and the hooks (LuaBudget.h).
    struct Budget;

private:
    LuaScript() = default;
    std::string name_;
    lua_State* state_ = nullptr;
    std::unique_ptr<Budget> budget_;
    std::set<std::string> functions_;  // defined at load, frozen since
    mutable std::mutex mutex_;
};

}  // namespace dad
