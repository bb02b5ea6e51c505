#include "LuaSandbox.h"

#include <lua.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string_view>

#include "LuaBudget.h"
#include "LuaFreeze.h"
#include "Text.h"

namespace dad::lua_sandbox {

namespace {

using lua_budget::Budget;
using lua_budget::budgetOf;

int luaNow(lua_State* L) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    lua_pushnumber(L, std::chrono::duration<double>(now).count());
    return 1;
}

// log(...): the arguments as tostring shows them, separated by spaces, cut
// to kPrintableLimit and escaped. Only that much is ever copied.
int luaLog(lua_State* L) {
    char line[kPrintableLimit + 1];
    size_t used = 0;
    size_t whole = 0;
    const int n = lua_gettop(L);
    for (int i = 1; i <= n; ++i) {
        size_t length = 0;
        const char* text = luaL_tolstring(L, i, &length);  // may run __tostring
        if (i > 1) {
            ++whole;
            if (used < sizeof line) line[used++] = ' ';
        }
        const size_t take = std::min(length, sizeof line - used);
        std::memcpy(line + used, text, take);
        used += take;
        whole += length;
        lua_pop(L, 1);
    }
    Budget* budget = budgetOf(L);
    if (!budget->outcome || budget->outcome->logLines.size() >= kMaxLogLines) return 0;
    lua_budget::chargeHostBytes(L, 4 * kPrintableLimit);
    bool copied = true;
    try {
        budget->outcome->logLines.push_back(
            printableExcerpt(std::string_view(line, used), kPrintableLimit, whole));
    } catch (...) {
        copied = false;
    }
    if (!copied) return luaL_error(L, "log: cannot record the line");
    return 0;
}

// deny("why") -> false, "why"; allow() -> true
int luaDeny(lua_State* L) {
    lua_pushboolean(L, 0);
    if (lua_isnoneornil(L, 1)) {
        lua_pushliteral(L, "denied by policy");
    } else {
        luaL_checkstring(L, 1);
        lua_pushvalue(L, 1);
    }
    return 2;
}

int luaAllow(lua_State* L) {
    lua_pushboolean(L, 1);
    return 1;
}

// What copying the value at `index` into a LuaValue takes, walked as
// toValue walks it (raw reads only, so both see the same). Stops adding once
// past `room`: an argument that repeats one long string or one large table
// many times costs what its copy would cost, without the copy being made.
void copySize(lua_State* L, int index, int depth, size_t room, size_t& total) {
    total += sizeof(LuaValue);
    if (total > room) return;
    if (lua_type(L, index) == LUA_TSTRING) {
        total += lua_rawlen(L, index);
        return;
    }
    if (lua_type(L, index) != LUA_TTABLE || depth > kMaxDepth) return;
    index = lua_absindex(L, index);
    const lua_Unsigned n = lua_rawlen(L, index);
    if (n > 0) {
        for (lua_Unsigned i = 1; i <= n && i <= kMaxItems && total <= room; ++i) {
            lua_rawgeti(L, index, static_cast<lua_Integer>(i));
            copySize(L, -1, depth + 1, room, total);
            lua_pop(L, 1);
        }
        return;
    }
    size_t keys = 0;
    lua_pushnil(L);
    while (lua_next(L, index) != 0) {
        if (lua_type(L, -2) == LUA_TSTRING && keys < kMaxKeys && total <= room) {
            ++keys;
            total += lua_rawlen(L, -2) + 64;  // a map node
            copySize(L, -1, depth + 1, room, total);
        }
        lua_pop(L, 1);
    }
}

// REQUIRES: copySize accepted the value (no Lua error can happen here:
// raw reads of strings, numbers and tables only).
LuaValue toValue(lua_State* L, int index, int depth) {
    LuaValue v;
    switch (lua_type(L, index)) {
        case LUA_TBOOLEAN:
            return LuaValue::of(lua_toboolean(L, index) != 0);
        case LUA_TNUMBER:
            return LuaValue::of(static_cast<double>(lua_tonumber(L, index)));
        case LUA_TSTRING: {
            size_t length = 0;
            const char* text = lua_tolstring(L, index, &length);
            return LuaValue::of(std::string(text, length));
        }
        case LUA_TTABLE: {
            if (depth > kMaxDepth) return v;
            index = lua_absindex(L, index);
            const lua_Unsigned n = lua_rawlen(L, index);
            if (n > 0) {
                v.kind = LuaValue::Kind::List;
                for (lua_Unsigned i = 1; i <= n && i <= kMaxItems; ++i) {
                    lua_rawgeti(L, index, static_cast<lua_Integer>(i));
                    v.list.push_back(toValue(L, -1, depth + 1));
                    lua_pop(L, 1);
                }
                return v;
            }
            v.kind = LuaValue::Kind::Table;
            lua_pushnil(L);
            while (lua_next(L, index) != 0) {
                if (lua_type(L, -2) == LUA_TSTRING && v.table.size() < kMaxKeys) {
                    size_t length = 0;
                    const char* key = lua_tolstring(L, -2, &length);
                    v.table[std::string(key, length)] = toValue(L, -1, depth + 1);
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
// The copy counts in the script's memory cap (until the call ends).
int luaAction(lua_State* L) {
    Budget* budget = budgetOf(L);
    const char* name = lua_tostring(L, lua_upvalueindex(1));
    if (!budget->outcome) return luaL_error(L, "actions are only valid during a hook");
    if (budget->outcome->actions.size() >= kMaxActions) {
        return luaL_error(L, "too many actions (at most %d per call)",
                          static_cast<int>(kMaxActions));
    }
    luaL_checkstack(L, 4 * (kMaxDepth + 2), "arguments nest too deep");
    const size_t room =
        budget->memoryLimit - std::min(budget->memoryLimit, budget->memoryUsed + budget->hostBytes);
    size_t total = 0;
    const int n = lua_gettop(L);
    for (int i = 1; i <= n && total <= room; ++i)
        copySize(L, i, 0, room, total);
    lua_budget::chargeHostBytes(L, total);
    lua_budget::chargeSteps(L, static_cast<double>(total) / sizeof(LuaValue), " (dad action)");
    bool copied = true;
    try {
        std::vector<LuaValue> args;
        for (int i = 1; i <= n; ++i)
            args.push_back(toValue(L, i, 0));
        budget->outcome->actions.emplace_back(name, std::move(args));
    } catch (...) {
        copied = false;
    }
    if (!copied) return luaL_error(L, "dad.%s: cannot record the action", name);
    return 0;
}

// dad.group(name) -> the addresses of address-book group name ("team" or
// "@team") as the event's user sees it; nil and a message when unknown.
int luaGroup(lua_State* L) {
    Budget* budget = budgetOf(L);
    size_t length = 0;
    const char* text = luaL_checklstring(L, 1, &length);
    if (!budget->outcome) return luaL_error(L, "dad.group is only valid during a hook");
    bool answered = true;
    try {
        budget->found.clear();
        budget->lookupError.clear();
        if (!budget->lookups || !budget->lookups->group) {
            budget->lookupError = "address-book groups are not available here";
        } else {
            const std::string name = length > 0 && text[0] == '@'
                                         ? std::string(text + 1, length - 1)
                                         : std::string(text, length);
            const Status s = budget->lookups->group(name, budget->found);
            if (!s) budget->lookupError = s.message().empty() ? "lookup failed" : s.message();
        }
    } catch (...) {
        answered = false;
    }
    if (!answered) return luaL_error(L, "dad.group: the lookup failed");
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

// Pushes `v`; no C++ object is made here, so a memory error may unwind it.
void push(lua_State* L, const LuaValue& v, size_t stringLimit) {
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
            lua_pushlstring(L, v.text.data(), std::min(v.text.size(), stringLimit));
            break;
        case LuaValue::Kind::List:
            luaL_checkstack(L, 3, "event too deep");
            lua_createtable(L, static_cast<int>(v.list.size()), 0);
            for (size_t i = 0; i < v.list.size(); ++i) {
                push(L, v.list[i], stringLimit);
                lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
            }
            break;
        case LuaValue::Kind::Table:
            luaL_checkstack(L, 3, "event too deep");
            lua_createtable(L, 0, static_cast<int>(v.table.size()));
            for (const auto& entry : v.table) {
                push(L, entry.second, stringLimit);
                lua_setfield(L, -2, entry.first.c_str());
            }
            break;
    }
}

const char* const kActions[] = {"set_recipients", "set_expiry", "set_max_downloads",
                                "set_password",   "send",       "notify",
                                "forward",        "fetch",      "set_message"};

}  // namespace

void pushEvent(lua_State* L, const std::map<std::string, LuaValue>& event) {
    const size_t limit = budgetOf(L)->stringLimit;
    lua_createtable(L, 0, static_cast<int>(event.size()));
    for (const auto& entry : event) {
        push(L, entry.second, limit);
        lua_setfield(L, -2, entry.first.c_str());
    }
}

void open(lua_State* L) {
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
    lua_freeze::rememberLibraries(L);
}

}  // namespace dad::lua_sandbox
