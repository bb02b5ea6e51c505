#include "LuaScript.h"

#include <lua.hpp>

#include <string_view>

#include "LuaBudget.h"
#include "LuaFreeze.h"
#include "LuaSandbox.h"
#include "Text.h"

namespace dad {

LuaValue LuaValue::of(bool b) {
    LuaValue v;
    v.kind = Kind::Boolean;
    v.boolean = b;
    return v;
}

LuaValue LuaValue::of(double n) {
    LuaValue v;
    v.kind = Kind::Number;
    v.number = n;
    return v;
}

LuaValue LuaValue::of(const std::string& s) {
    LuaValue v;
    v.kind = Kind::String;
    v.text = s;
    return v;
}

LuaValue LuaValue::listOf(const std::vector<std::string>& items) {
    LuaValue v;
    v.kind = Kind::List;
    for (const std::string& item : items)
        v.list.push_back(of(item));
    return v;
}

namespace {

using lua_budget::Budget;
using lua_budget::budgetOf;

int openSandbox(lua_State* L) {
    lua_sandbox::open(L);
    return 0;
}

int collectGarbage(lua_State* L) {
    lua_gc(L, LUA_GCCOLLECT);
    return 0;
}

// One hook call, all of it inside lua_pcall: a memory error anywhere (the
// event table included) is the call's error, never a panic.
struct HookCall {
    const char* function;
    const std::map<std::string, LuaValue>* event;
    LuaOutcome* outcome;
};

int runHook(lua_State* L) {
    auto* call = static_cast<HookCall*>(lua_touserdata(L, 1));
    lua_settop(L, 0);
    lua_freeze::restoreLoaded(L);
    if (lua_freeze::pushLoaded(L, call->function) != LUA_TFUNCTION) return 0;
    lua_sandbox::pushEvent(L, *call->event);
    lua_call(L, 1, 2);
    if (lua_type(L, -2) != LUA_TBOOLEAN) return 0;
    if (lua_toboolean(L, -2)) {
        call->outcome->answer = LuaOutcome::Answer::Allow;
        return 0;
    }
    size_t length = 0;
    const char* reason = lua_isstring(L, -1) ? lua_tolstring(L, -1, &length) : nullptr;
    bool copied = true;
    try {
        call->outcome->answer = LuaOutcome::Answer::Deny;
        call->outcome->reason = reason ? printableExcerpt(std::string_view(reason, length))
                                       : std::string("denied by policy");
    } catch (...) {
        copied = false;
    }
    if (!copied) return luaL_error(L, "cannot copy the reason");
    return 0;
}

// Runs `f` with the light userdata `arg` under a fresh budget.
int protectedCall(lua_State* L, Budget& budget, lua_CFunction f, void* arg) {
    lua_settop(L, 0);
    lua_pushcfunction(L, f);
    lua_pushlightuserdata(L, arg);
    lua_budget::startCall(L, budget);
    return lua_pcall(L, 1, 0, 0);
}

struct Chunk {
    const std::string* source;
    std::string name;  // "@name"
};

int runChunk(lua_State* L) {
    const auto* chunk = static_cast<const Chunk*>(lua_touserdata(L, 1));
    // "t": text only; the chunk's environment is the sandboxed globals.
    const int rc =
        luaL_loadbufferx(L, chunk->source->data(), chunk->source->size(), chunk->name.c_str(), "t");
    if (rc != LUA_OK) return lua_error(L);
    lua_call(L, 0, 0);
    lua_freeze::freezeLoaded(L);
    return 0;
}

}  // namespace

Status LuaScript::load(const std::string& name, const std::string& source, const LuaLimits& limits,
                       std::unique_ptr<LuaScript>& script) {
    std::unique_ptr<LuaScript> s(new LuaScript());
    s->name_ = name;
    s->budget_ = std::make_unique<Budget>();
    Budget& budget = *s->budget_;
    budget.memoryLimit = limits.memoryBytes;
    budget.instructionLimit = limits.instructions;
    budget.clockLimitNs = limits.callBudgetMs * 1'000'000;
    budget.stringLimit = limits.maxStringBytes;
    budget.name = name;
    s->state_ = lua_newstate(lua_budget::cappedAlloc, &budget);
    if (!s->state_) return Status::failure(name + ": cannot create a Lua state");
    lua_State* L = s->state_;
    if (const int rc = protectedCall(L, budget, openSandbox, nullptr); rc != LUA_OK) {
        return Status::failure("cannot set up the sandbox: " +
                               lua_budget::failureText(L, rc, budget));
    }
    if (!source.empty() && source[0] == LUA_SIGNATURE[0]) {
        return Status::invalid(name + ": precompiled (bytecode) scripts are refused");
    }
    const Chunk chunk{&source, "@" + name};
    if (const int rc = protectedCall(L, budget, runChunk, const_cast<Chunk*>(&chunk));
        rc != LUA_OK) {
        return Status::invalid(lua_budget::failureText(L, rc, budget));
    }
    lua_settop(L, 0);
    // What a call may not change: the functions the script defined.
    lua_freeze::pushLoadedGlobals(L);
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TFUNCTION) {
            s->functions_.insert(lua_tostring(L, -2));
        }
        lua_pop(L, 1);
    }
    lua_settop(L, 0);
    lua_pushcfunction(L, collectGarbage);
    lua_pcall(L, 0, 0, 0);
    budget.loadedLongestString = budget.longestString;
    script = std::move(s);
    return Status::ok();
}

LuaScript::~LuaScript() {
    if (state_) lua_close(state_);
}

bool LuaScript::defines(const std::string& function) const {
    return functions_.count(function) > 0;
}

Status LuaScript::call(const std::string& function, const std::map<std::string, LuaValue>& event,
                       LuaOutcome& outcome, const LuaLookups* lookups) {
    std::lock_guard<std::mutex> lock(mutex_);
    lua_State* L = state_;
    outcome = LuaOutcome();
    if (!defines(function)) return Status::ok();
    HookCall hook{function.c_str(), &event, &outcome};
    budget_->outcome = &outcome;
    budget_->lookups = lookups;
    const int rc = protectedCall(L, *budget_, runHook, &hook);
    budget_->outcome = nullptr;
    budget_->lookups = nullptr;
    Status result = Status::ok();
    if (rc != LUA_OK) {
        result = Status::failure(lua_budget::failureText(L, rc, *budget_));
        outcome.answer = LuaOutcome::Answer::NoOpinion;
        outcome.actions.clear();
    }
    lua_settop(L, 0);
    budget_->hostBytes = 0;
    // Back to what the script holds between calls, so the next starts with its whole cap.
    if (rc != LUA_OK || budget_->memoryUsed > budget_->memoryLimit / 2) {
        lua_pushcfunction(L, collectGarbage);
        lua_pcall(L, 0, 0, 0);
        lua_settop(L, 0);
    }
    return result;
}

}  // namespace dad
