#include "LuaScript.h"

#include "LuaBudget.h"

#include <lua.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

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

namespace lua_budget {

LuaScript::Budget* budgetOf(lua_State* L) {
    void* ud = nullptr;
    lua_getallocf(L, &ud);
    return static_cast<LuaScript::Budget*>(ud);
}

}  // namespace lua_budget

namespace {

using Budget = LuaScript::Budget;
using lua_budget::budgetOf;

constexpr int kHookEvery = 1000;  // instructions between budget checks
const char* const kBudgetKey = "dadgate.budget";

// The allocator enforcing the memory cap: a refused allocation is Lua's
// "not enough memory" error, caught like any other.
void* cappedAlloc(void* ud, void* ptr, size_t oldSize, size_t newSize) {
    auto* budget = static_cast<Budget*>(ud);
    const size_t old = ptr ? oldSize : 0;
    if (newSize == 0) {
        std::free(ptr);
        budget->memoryUsed -= old;
        return nullptr;
    }
    if (newSize > old && budget->memoryUsed - old + newSize > budget->memoryLimit) return nullptr;
    void* grown = std::realloc(ptr, newSize);
    if (grown) budget->memoryUsed = budget->memoryUsed - old + newSize;
    return grown;
}

void countHook(lua_State* L, lua_Debug* ar);

// Stops the call: "script:line: instruction budget of N exceeded<what>", the
// line that of the function `level` up the stack (0: the running one).
int exceedBudget(lua_State* L, int level, const char* what) {
    Budget* budget = budgetOf(L);
    budget->instructionsUsed = std::max(budget->instructionsUsed, budget->instructionLimit + 1);
    // From now on every instruction fails, so a pcall cannot swallow this.
    lua_sethook(L, countHook, LUA_MASKCOUNT, 1);
    lua_Debug ar;
    if (lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
        lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
    } else {
        lua_pushliteral(L, "");
    }
    lua_pushfstring(L, "instruction budget of %I exceeded%s",
                    static_cast<LUA_INTEGER>(budget->instructionLimit), what);
    lua_concat(L, 2);
    return lua_error(L);
}

void countHook(lua_State* L, lua_Debug* ar) {
    Budget* budget = budgetOf(L);
    if (lua_getinfo(L, "l", ar) && ar->currentline > 0) budget->lastLine = ar->currentline;
    budget->instructionsUsed += kHookEvery;
    if (budget->instructionsUsed > budget->instructionLimit) exceedBudget(L, 0, "");
}

int luaNow(lua_State* L) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    lua_pushnumber(L, std::chrono::duration<double>(now).count());
    return 1;
}

int luaLog(lua_State* L) {
    Budget* budget = budgetOf(L);
    std::string line;
    const int n = lua_gettop(L);
    for (int i = 1; i <= n; ++i) {
        if (i > 1) line += " ";
        line += luaL_tolstring(L, i, nullptr);
        lua_pop(L, 1);
    }
    if (budget->outcome && budget->outcome->logLines.size() < 100) {
        budget->outcome->logLines.push_back(line.substr(0, 1000));
    }
    return 0;
}

// deny("why") -> false, "why"; allow() -> true
int luaDeny(lua_State* L) {
    lua_pushboolean(L, 0);
    lua_pushstring(L, luaL_optstring(L, 1, "denied by policy"));
    return 2;
}

int luaAllow(lua_State* L) {
    lua_pushboolean(L, 1);
    return 1;
}

LuaValue toValue(lua_State* L, int index, int depth = 0) {
    LuaValue v;
    switch (lua_type(L, index)) {
        case LUA_TBOOLEAN:
            return LuaValue::of(lua_toboolean(L, index) != 0);
        case LUA_TNUMBER:
            return LuaValue::of(static_cast<double>(lua_tonumber(L, index)));
        case LUA_TSTRING:
            return LuaValue::of(std::string(lua_tostring(L, index)));
        case LUA_TTABLE: {
            if (depth > 4) return v;
            index = lua_absindex(L, index);
            const lua_Unsigned n = lua_rawlen(L, index);
            if (n > 0) {
                v.kind = LuaValue::Kind::List;
                for (lua_Unsigned i = 1; i <= n && i <= 10000; ++i) {
                    lua_rawgeti(L, index, static_cast<lua_Integer>(i));
                    v.list.push_back(toValue(L, -1, depth + 1));
                    lua_pop(L, 1);
                }
                return v;
            }
            v.kind = LuaValue::Kind::Table;
            lua_pushnil(L);
            while (lua_next(L, index) != 0) {
                if (lua_type(L, -2) == LUA_TSTRING && v.table.size() < 1000) {
                    v.table[lua_tostring(L, -2)] = toValue(L, -1, depth + 1);
                }
                lua_pop(L, 1);
            }
            return v;
        }
        default:
            return v;
    }
}

// dad.<action>(...): recorded for the gateway to carry out after the hook.
int luaAction(lua_State* L) {
    Budget* budget = budgetOf(L);
    if (!budget->outcome) return luaL_error(L, "actions are only valid during a hook");
    std::vector<LuaValue> args;
    for (int i = 1; i <= lua_gettop(L); ++i)
        args.push_back(toValue(L, i));
    if (budget->outcome->actions.size() >= 100) return luaL_error(L, "too many actions");
    budget->outcome->actions.emplace_back(lua_tostring(L, lua_upvalueindex(1)), std::move(args));
    return 0;
}

// dad.group(name) -> the addresses of address-book group name ("team" or
// "@team") as the event's user sees it; nil and a message when unknown.
int luaGroup(lua_State* L) {
    Budget* budget = budgetOf(L);
    size_t length = 0;
    const char* text = luaL_checklstring(L, 1, &length);
    if (!budget->outcome) return luaL_error(L, "dad.group is only valid during a hook");
    budget->found.clear();
    budget->lookupError.clear();
    if (!budget->lookups || !budget->lookups->group) {
        budget->lookupError = "address-book groups are not available here";
    } else {
        const std::string name = length > 0 && text[0] == '@' ? std::string(text + 1, length - 1)
                                                              : std::string(text, length);
        const Status s = budget->lookups->group(name, budget->found);
        if (!s) budget->lookupError = s.message().empty() ? "lookup failed" : s.message();
    }
    if (!budget->lookupError.empty()) {
        lua_pushnil(L);
        lua_pushlstring(L, budget->lookupError.data(), budget->lookupError.size());
        return 2;
    }
    lua_budget::charge(L, static_cast<double>(budget->found.size()), " (dad.group)");
    lua_createtable(L, static_cast<int>(budget->found.size()), 0);
    for (size_t i = 0; i < budget->found.size(); ++i) {
        lua_pushlstring(L, budget->found[i].data(), budget->found[i].size());
        lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    return 1;
}

int undefinedGlobal(lua_State* L) {
    return luaL_error(L, "undefined global '%s'", luaL_optstring(L, 2, "?"));
}

int frozenGlobal(lua_State* L) {
    return luaL_error(L, "cannot set global '%s' after loading; use local",
                      luaL_optstring(L, 2, "?"));
}

void push(lua_State* L, const LuaValue& v) {
    switch (v.kind) {
        case LuaValue::Kind::Nil:
            lua_pushnil(L);
            break;
        case LuaValue::Kind::Boolean:
            lua_pushboolean(L, v.boolean);
            break;
        case LuaValue::Kind::Number:
            lua_pushnumber(L, v.number);
            break;
        case LuaValue::Kind::String:
            lua_pushlstring(L, v.text.data(), v.text.size());
            break;
        case LuaValue::Kind::List:
            lua_createtable(L, static_cast<int>(v.list.size()), 0);
            for (size_t i = 0; i < v.list.size(); ++i) {
                push(L, v.list[i]);
                lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
            }
            break;
        case LuaValue::Kind::Table:
            lua_createtable(L, 0, static_cast<int>(v.table.size()));
            for (const auto& [key, value] : v.table) {
                push(L, value);
                lua_setfield(L, -2, key.c_str());
            }
            break;
    }
}

const char* const kActions[] = {"set_recipients", "set_expiry", "set_max_downloads",
                                "set_password",   "send",       "notify",
                                "forward",        "fetch",      "set_message"};

// Builds the script's environment: the allowed libraries and functions only.
void openSandbox(lua_State* L) {
    luaL_requiref(L, "_G", luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_pop(L, 5);
    lua_pushglobaltable(L);
    for (const char* name : {"dofile", "loadfile", "load", "collectgarbage", "require", "print",
                             "rawset", "module", "loadstring"}) {
        lua_pushnil(L);
        lua_setfield(L, -2, name);
    }
    lua_getfield(L, -1, "string");
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    lua_budget::installGuards(L);
    lua_pushcfunction(L, luaNow);
    lua_setfield(L, -2, "now");
    lua_pushcfunction(L, luaLog);
    lua_setfield(L, -2, "log");
    lua_pushcfunction(L, luaDeny);
    lua_setfield(L, -2, "deny");
    lua_pushcfunction(L, luaAllow);
    lua_setfield(L, -2, "allow");
    lua_newtable(L);
    for (const char* action : kActions) {
        lua_pushstring(L, action);
        lua_pushcclosure(L, luaAction, 1);
        lua_setfield(L, -2, action);
    }
    lua_pushcfunction(L, luaLog);
    lua_setfield(L, -2, "log");
    lua_pushcfunction(L, luaGroup);
    lua_setfield(L, -2, "group");
    lua_setfield(L, -2, "dad");
    // Undefined globals are errors; the metatable itself cannot be replaced.
    lua_newtable(L);
    lua_pushcfunction(L, undefinedGlobal);
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
}

void freezeGlobals(lua_State* L) {
    lua_pushglobaltable(L);
    lua_getmetatable(L, -1);
    lua_pushcfunction(L, frozenGlobal);
    lua_setfield(L, -2, "__newindex");
    lua_pop(L, 2);
}

std::string errorText(lua_State* L) {
    const char* message = lua_tostring(L, -1);
    std::string text = message ? message : "error object is not a string";
    lua_pop(L, 1);
    return text;
}

// The message of a failed protectedCall, always "name[:line]: message". A
// memory error carries no position: the line the count hook saw last.
std::string failureText(lua_State* L, int rc, const Budget& budget) {
    const std::string text = errorText(L);
    if (rc == LUA_ERRMEM) {
        return budget.name + (budget.lastLine > 0 ? ":" + std::to_string(budget.lastLine) : "") +
               ": not enough memory (the script's cap is " + std::to_string(budget.memoryLimit) +
               " bytes)";
    }
    if (text.rfind(budget.name + ":", 0) == 0) return text;
    return budget.name + ": " + text;
}

// Runs the function on top of the stack with `nargs` arguments under a fresh
// instruction budget.
int protectedCall(lua_State* L, Budget& budget, int nargs, int nresults) {
    budget.instructionsUsed = 0;
    budget.lastLine = 0;
    lua_sethook(L, countHook, LUA_MASKCOUNT, kHookEvery);
    return lua_pcall(L, nargs, nresults, 0);
}

}  // namespace

void lua_budget::charge(lua_State* L, double instructions, const char* what) {
    Budget* budget = budgetOf(L);
    const double total = static_cast<double>(budget->instructionsUsed) + instructions;
    if (total <= static_cast<double>(budget->instructionLimit)) {
        budget->instructionsUsed = static_cast<uint64_t>(total);
        return;
    }
    exceedBudget(L, 1, what);
}

Status LuaScript::load(const std::string& name, const std::string& source, const LuaLimits& limits,
                       std::unique_ptr<LuaScript>& script) {
    std::unique_ptr<LuaScript> s(new LuaScript());
    s->name_ = name;
    s->budget_ = std::make_unique<Budget>();
    s->budget_->memoryLimit = limits.memoryBytes;
    s->budget_->instructionLimit = limits.instructions;
    s->budget_->name = name;
    s->state_ = lua_newstate(cappedAlloc, s->budget_.get());
    if (!s->state_) return Status::failure(name + ": cannot create a Lua state");
    lua_State* L = s->state_;
    lua_pushcfunction(L, [](lua_State* state) {
        openSandbox(state);
        return 0;
    });
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        return Status::failure(name + ": cannot set up the sandbox: " + errorText(L));
    }
    if (!source.empty() && source[0] == LUA_SIGNATURE[0]) {
        return Status::invalid(name + ": precompiled (bytecode) scripts are refused");
    }
    // "t": text only; the chunk's environment is the sandboxed globals.
    if (luaL_loadbufferx(L, source.data(), source.size(), ("@" + name).c_str(), "t") != LUA_OK) {
        return Status::invalid(errorText(L));
    }
    if (const int rc = protectedCall(L, *s->budget_, 0, 0); rc != LUA_OK) {
        return Status::invalid(failureText(L, rc, *s->budget_));
    }
    freezeGlobals(L);
    lua_gc(L, LUA_GCCOLLECT);
    script = std::move(s);
    return Status::ok();
}

LuaScript::~LuaScript() {
    if (state_) lua_close(state_);
}

bool LuaScript::defines(const std::string& function) const {
    std::lock_guard<std::mutex> lock(mutex_);
    lua_pushglobaltable(state_);
    lua_pushstring(state_, function.c_str());
    const int type = lua_rawget(state_, -2);
    lua_pop(state_, 2);
    return type == LUA_TFUNCTION;
}

Status LuaScript::call(const std::string& function, const std::map<std::string, LuaValue>& event,
                       LuaOutcome& outcome, const LuaLookups* lookups) {
    std::lock_guard<std::mutex> lock(mutex_);
    lua_State* L = state_;
    outcome = LuaOutcome();
    lua_settop(L, 0);
    lua_pushglobaltable(L);
    lua_pushstring(L, function.c_str());
    if (lua_rawget(L, -2) != LUA_TFUNCTION) {
        lua_settop(L, 0);
        return Status::ok();
    }
    LuaValue table;
    table.kind = LuaValue::Kind::Table;
    table.table = event;
    push(L, table);
    budget_->outcome = &outcome;
    budget_->lookups = lookups;
    const int rc = protectedCall(L, *budget_, 1, 2);
    budget_->outcome = nullptr;
    budget_->lookups = nullptr;
    if (rc != LUA_OK) {
        Status error = Status::failure(failureText(L, rc, *budget_));
        lua_settop(L, 0);
        lua_gc(L, LUA_GCCOLLECT);
        return error;
    }
    if (lua_type(L, -2) == LUA_TBOOLEAN) {
        if (lua_toboolean(L, -2)) {
            outcome.answer = LuaOutcome::Answer::Allow;
        } else {
            outcome.answer = LuaOutcome::Answer::Deny;
            outcome.reason = lua_isstring(L, -1) ? lua_tostring(L, -1) : "denied by policy";
        }
    }
    lua_settop(L, 0);
    return Status::ok();
}

}  // namespace dad
