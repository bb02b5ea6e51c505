// LuaBudget: what the sandbox of LuaScript shares with its guards, host
// functions and read-only tables (internal to gateway/policy/Lua*.cpp).
//
// A call is bounded three ways, all checked by the same code:
// - instructions: the count hook adds the Lua instructions run; library
//   functions that loop in C, and the bytes the allocator hands out, are
//   charged to the same count (kStepsPerInstruction, kBytesPerInstruction);
// - the clock: the thread's CPU time, checked at every hook and charge;
// - memory: the allocator's cap, with what the host copies for the script
//   (action arguments, log lines) counted in it, and a cap on one string.
// A budget that runs out stops the call: from then on every instruction
// raises the error again, and the sandbox's pcall and xpcall pass it on, as
// they do a memory error, so no script can catch either.
// The hook runs more often while long strings exist, since one instruction
// (`..`, `==`, `<`) may then touch many bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "LuaScript.h"

struct lua_State;

namespace dad {

struct LuaScript::Budget {
    enum class Stop { None, Instructions, Clock, Memory, StringSize };

    size_t memoryLimit = 0;
    size_t memoryUsed = 0;
    size_t hostBytes = 0;    // the host's copies for the running call, in the cap
    size_t stringLimit = 0;  // the longest string a script may make
    size_t longestString = 0;
    size_t loadedLongestString = 0;  // of what the script kept at load
    uint64_t allocated = 0;          // bytes handed out since the call began
    uint64_t allocatedCharged = 0;
    uint64_t instructionLimit = 0;
    uint64_t instructionsUsed = 0;
    uint64_t clockLimitNs = 0;  // 0: no clock budget
    int64_t wallStartNs = 0;
    int64_t cpuStartNs = 0;
    int hookEvery = 0;  // the count hook's current interval
    int lastLine = 0;   // where the count hook last saw the script
    Stop stop = Stop::None;
    Stop refusal = Stop::None;   // the limit that last refused an allocation
    char stopMessage[256] = {};  // "name:line: ..." of the first stop
    lua_State* state = nullptr;
    LuaOutcome* outcome = nullptr;
    const LuaLookups* lookups = nullptr;
    // A lookup's answer, kept here while it is copied into Lua (a Lua
    // error unwinds C frames without running destructors).
    std::vector<std::string> found;
    std::string lookupError;
    std::string name;
};

namespace lua_budget {

using Budget = LuaScript::Budget;

// C loop steps, and bytes allocated, counted as one instruction of the budget.
constexpr uint64_t kStepsPerInstruction = 16;
constexpr uint64_t kBytesPerInstruction = 64;

Budget* budgetOf(lua_State* L);

// The allocator of every script's state (`ud` is its Budget).
void* cappedAlloc(void* ud, void* ptr, size_t oldSize, size_t newSize);

// Starts a call's budget (instructions, clock) and sets the count hook.
void startCall(lua_State* L, Budget& budget);

// Adds `instructions` to the running call's count and checks the clock; past
// either budget the call stops with "script:line: ... exceeded (what)".
// Does not return then.
void charge(lua_State* L, double instructions, const char* what);
inline void chargeSteps(lua_State* L, double steps, const char* what) {
    charge(L, steps / static_cast<double>(kStepsPerInstruction), what);
}

// Counts `bytes` the host copies for the script into its memory cap (released
// when the call ends); past the cap the call stops as out of memory.
void chargeHostBytes(lua_State* L, size_t bytes);

// After a pcall inside the script returned `rc`: a stop, or a memory error
// (the limit that refused), ends the whole call here. Returns rc otherwise.
int stopAfterProtectedCall(lua_State* L, int rc);

// Raises the stop already recorded (for the count hook and host functions).
// REQUIRES: budget.stop != None.
int raiseStop(lua_State* L);

// The message of a failed call or load, "name[:line]: message", cut and
// escaped for logs (rc: what lua_pcall returned).
std::string failureText(lua_State* L, int rc, const Budget& budget);

// Replaces the byte- and element-proportional library functions with
// charged versions, and setmetatable and xpcall with guarded ones.
// REQUIRES: the sandbox's libraries are open.
void installGuards(lua_State* L);

// The worst-case number of matching steps of a Lua pattern on a subject of
// `subjectLength` bytes (lstrlib backtracks once per repetition item).
double patternCost(const char* pattern, size_t length, size_t subjectLength, bool anchorable);

}  // namespace lua_budget
}  // namespace dad
