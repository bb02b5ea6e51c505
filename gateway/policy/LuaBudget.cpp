// The budgets of one call of a policy script: the capped allocator, the count
// hook, the clock, and the stop that no pcall can swallow (LuaBudget.h).
// Nothing here may throw or leave a C++ object to a longjmp.
#include "LuaBudget.h"

#include <time.h>
#include <lua.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "Text.h"

namespace dad::lua_budget {

namespace {

constexpr int kHookEvery = 1000;  // instructions between checks, with short strings
// Bytes one instruction may touch between two checks (`<` on two strings of
// zero bytes compares them a byte at a time): the hook runs every
// kCheckBytes / (longest string) instructions, at least every one.
constexpr size_t kCheckBytes = 256 * 1024;

int64_t monotonicNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

int64_t threadCpuNs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The thread's CPU time never runs ahead of the wall clock, so the (slower)
// CPU clock is read only once the call has lasted its budget in wall time.
bool clockExceeded(const Budget& b) {
    if (b.clockLimitNs == 0) return false;
    const auto limit = static_cast<int64_t>(b.clockLimitNs);
    if (monotonicNs() - b.wallStartNs < limit) return false;
    return threadCpuNs() - b.cpuStartNs > limit;
}

int intervalFor(const Budget& b) {
    const size_t longest = std::max<size_t>(b.longestString, 1);
    return static_cast<int>(std::clamp<size_t>(kCheckBytes / longest, 1, kHookEvery));
}

void countHook(lua_State* L, lua_Debug* ar);

void setInterval(Budget& b, int every) {
    b.hookEvery = every;
    lua_sethook(b.state, countHook, LUA_MASKCOUNT, every);
}

// What is recorded as the stop's message: "name:line: " and what ran out.
void describeStop(Budget& b, const char* where, const char* what) {
    char limit[96];
    switch (b.stop) {
        case Budget::Stop::Instructions:
            std::snprintf(limit, sizeof limit, "instruction budget of %llu exceeded",
                          static_cast<unsigned long long>(b.instructionLimit));
            break;
        case Budget::Stop::Clock:
            std::snprintf(limit, sizeof limit, "time budget of %llu ms (CPU) exceeded",
                          static_cast<unsigned long long>(b.clockLimitNs / 1'000'000));
            break;
        case Budget::Stop::Memory:
            std::snprintf(limit, sizeof limit, "not enough memory (the script's cap is %zu bytes)",
                          b.memoryLimit);
            break;
        case Budget::Stop::StringSize:
            std::snprintf(limit, sizeof limit, "string longer than the limit of %zu bytes",
                          b.stringLimit);
            break;
        case Budget::Stop::None:
            limit[0] = '\0';
            break;
    }
    std::snprintf(b.stopMessage, sizeof b.stopMessage, "%s%s%s", where, limit, what);
}

// "short_src:line: " of the function `level` up the stack, or the line the
// hook saw last.
void whereAt(lua_State* L, const Budget& b, int level, char* out, size_t size) {
    lua_Debug ar;
    if (lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
        std::snprintf(out, size, "%s:%d: ", ar.short_src, ar.currentline);
    } else if (b.lastLine > 0) {
        std::snprintf(out, size, "%s:%d: ", b.name.c_str(), b.lastLine);
    } else {
        std::snprintf(out, size, "%s: ", b.name.c_str());
    }
}

// Records the first stop and raises it; every later instruction raises it again.
[[noreturn]] void stopCall(lua_State* L, Budget::Stop kind, int level, const char* what) {
    Budget* b = budgetOf(L);
    if (b->stop == Budget::Stop::None) {
        b->stop = kind;
        char where[320];
        whereAt(L, *b, level, where, sizeof where);
        describeStop(*b, where, what);
    }
    setInterval(*b, 1);
    raiseStop(L);
    std::abort();  // lua_error does not return
}

void chargeAllocations(Budget& b) {
    b.instructionsUsed += (b.allocated - b.allocatedCharged) / kBytesPerInstruction;
    b.allocatedCharged = b.allocated;
}

void countHook(lua_State* L, lua_Debug* ar) {
    Budget* b = budgetOf(L);
    if (lua_getinfo(L, "l", ar) && ar->currentline > 0) b->lastLine = ar->currentline;
    if (b->stop != Budget::Stop::None) stopCall(L, b->stop, 0, "");
    b->instructionsUsed += static_cast<uint64_t>(b->hookEvery);
    chargeAllocations(*b);
    if (b->instructionsUsed > b->instructionLimit) stopCall(L, Budget::Stop::Instructions, 0, "");
    if (clockExceeded(*b)) stopCall(L, Budget::Stop::Clock, 0, "");
    if (const int every = intervalFor(*b); every != b->hookEvery) setInterval(*b, every);
}

// A refused allocation: Lua collects garbage and asks again, and raises its
// memory error if that fails too. Which limit refused is kept for the message;
// the guarded pcall and xpcall turn the error into the call's stop.
void refuse(Budget& b, Budget::Stop kind) {
    b.refusal = kind;
}

}  // namespace

Budget* budgetOf(lua_State* L) {
    void* ud = nullptr;
    lua_getallocf(L, &ud);
    return static_cast<Budget*>(ud);
}

void* cappedAlloc(void* ud, void* ptr, size_t oldSize, size_t newSize) {
    auto* b = static_cast<Budget*>(ud);
    const size_t old = ptr ? oldSize : 0;
    if (newSize == 0) {
        std::free(ptr);
        b->memoryUsed -= old;
        return nullptr;
    }
    // A new object: oldSize is its type. A string is allocated whole, once.
    const bool string = !ptr && oldSize == LUA_TSTRING;
    if (string && newSize > b->stringLimit + 64) {
        refuse(*b, Budget::Stop::StringSize);
        return nullptr;
    }
    if (newSize > old && b->memoryUsed + b->hostBytes - old + newSize > b->memoryLimit) {
        refuse(*b, Budget::Stop::Memory);
        return nullptr;
    }
    void* grown = std::realloc(ptr, newSize);
    if (!grown) {
        refuse(*b, Budget::Stop::Memory);
        return nullptr;
    }
    b->memoryUsed = b->memoryUsed - old + newSize;
    if (newSize > old) b->allocated += newSize - old;
    if (string && newSize > b->longestString) {
        b->longestString = newSize;
        if (b->state && b->hookEvery > 0 && intervalFor(*b) < b->hookEvery) {
            setInterval(*b, intervalFor(*b));
        }
    }
    return grown;
}

void startCall(lua_State* L, Budget& b) {
    b.state = L;
    b.instructionsUsed = 0;
    b.allocated = b.allocatedCharged = 0;
    b.hostBytes = 0;
    b.lastLine = 0;
    b.stop = Budget::Stop::None;
    b.refusal = Budget::Stop::None;
    b.stopMessage[0] = '\0';
    b.longestString = b.loadedLongestString;
    b.wallStartNs = monotonicNs();
    b.cpuStartNs = b.clockLimitNs ? threadCpuNs() : 0;
    setInterval(b, intervalFor(b));
}

void charge(lua_State* L, double instructions, const char* what) {
    Budget* b = budgetOf(L);
    if (b->stop != Budget::Stop::None) stopCall(L, b->stop, 1, what);
    chargeAllocations(*b);
    const double total = static_cast<double>(b->instructionsUsed) + instructions;
    if (total > static_cast<double>(b->instructionLimit)) {
        stopCall(L, Budget::Stop::Instructions, 1, what);
    }
    b->instructionsUsed = static_cast<uint64_t>(total);
    if (clockExceeded(*b)) stopCall(L, Budget::Stop::Clock, 1, what);
}

void chargeHostBytes(lua_State* L, size_t bytes) {
    Budget* b = budgetOf(L);
    if (b->memoryUsed + b->hostBytes + bytes > b->memoryLimit) {
        lua_gc(L, LUA_GCCOLLECT);  // what the script no longer holds first
        if (b->memoryUsed + b->hostBytes + bytes > b->memoryLimit) {
            stopCall(L, Budget::Stop::Memory, 1, "");
        }
    }
    b->hostBytes += bytes;
}

int stopAfterProtectedCall(lua_State* L, int rc) {
    Budget* b = budgetOf(L);
    if (b->stop == Budget::Stop::None && rc == LUA_ERRMEM) {
        b->stop = b->refusal == Budget::Stop::None ? Budget::Stop::Memory : b->refusal;
    }
    if (b->stop != Budget::Stop::None) stopCall(L, b->stop, 1, "");
    return rc;
}

int raiseStop(lua_State* L) {
    Budget* b = budgetOf(L);
    if (b->stopMessage[0] == '\0') {
        char where[320];
        whereAt(L, *b, 0, where, sizeof where);
        describeStop(*b, where, "");
    }
    lua_pushstring(L, b->stopMessage);
    return lua_error(L);
}

std::string failureText(lua_State* L, int rc, const Budget& b) {
    std::string_view text = "error object is not a string";
    if (lua_type(L, -1) == LUA_TSTRING) {
        size_t length = 0;
        const char* message = lua_tolstring(L, -1, &length);
        text = std::string_view(message, length);
    }
    std::string out;
    if (b.stop != Budget::Stop::None || rc == LUA_ERRMEM) {
        Budget copy = b;
        if (copy.stop == Budget::Stop::None) {
            copy.stop = b.refusal == Budget::Stop::None ? Budget::Stop::Memory : b.refusal;
        }
        if (copy.stopMessage[0] == '\0') {
            const std::string where =
                b.name + (b.lastLine > 0 ? ":" + std::to_string(b.lastLine) : "") + ": ";
            describeStop(copy, where.c_str(), "");
        }
        out = printableExcerpt(copy.stopMessage);
    } else if (text.substr(0, b.name.size() + 1) == b.name + ":") {
        out = printableExcerpt(text);
    } else {
        out = printableExcerpt(b.name + ": " + printableExcerpt(text));
    }
    lua_pop(L, 1);
    return out;
}

}  // namespace dad::lua_budget
