#include "LuaFreeze.h"

#include <lua.hpp>

#include <cstring>

#include "LuaBudget.h"

namespace dad::lua_freeze {

namespace {

const char* const kUpvalues = "dadgate.upvalues";  // registry: {f, n, value, f, n, value, ...}
const char* const kBacking = "dadgate.backing";    // in a read-only table's metatable
const char* const kView = "dadgate.view";
const char* const kRandomSeed = "dadgate.randomseed";  // registry: math.randomseed

// __newindex of a read-only table (upvalue 1: whether it is the global table).
int readOnly(lua_State* L) {
    const char* key = luaL_tolstring(L, 2, nullptr);
    if (lua_toboolean(L, lua_upvalueindex(1))) {
        return luaL_error(L, "cannot set global '%s' after loading; use local", key);
    }
    return luaL_error(L, "cannot set '%s': tables defined at load are read-only", key);
}

int readOnlyLength(lua_State* L) {
    lua_pushinteger(L, static_cast<lua_Integer>(lua_rawlen(L, lua_upvalueindex(1))));
    return 1;
}

int readOnlyNext(lua_State* L) {
    lua_settop(L, 2);
    if (lua_next(L, lua_upvalueindex(1)) != 0) return 2;
    lua_pushnil(L);
    return 1;
}

// pairs(t): the hidden contents, without handing them to the script.
int readOnlyPairs(lua_State* L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, readOnlyNext, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

// Pushes the contents of the table at `index`: its hidden table when it is
// read-only already.
void pushContents(lua_State* L, int index) {
    index = lua_absindex(L, index);
    if (lua_getmetatable(L, index)) {
        if (lua_getfield(L, -1, kBacking) == LUA_TTABLE) {
            lua_remove(L, -2);
            return;
        }
        lua_pop(L, 2);
    }
    lua_pushvalue(L, index);
}

bool isMetaKey(lua_State* L, int index) {
    return lua_type(L, index) == LUA_TSTRING && std::strncmp(lua_tostring(L, index), "__", 2) == 0;
}

// Makes the table at `index` read-only in place (see LuaFreeze.h).
void freezeTable(lua_State* L, int index, bool globals) {
    const int t = lua_absindex(L, index);
    lua_newtable(L);
    const int backing = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, backing);
    }
    bool metaKeys = false;
    lua_pushnil(L);
    while (lua_next(L, backing) != 0) {
        lua_pop(L, 1);
        metaKeys = metaKeys || isMetaKey(L, -1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, t);
    }
    lua_newtable(L);
    const int proxy = lua_gettop(L);
    bool hasLength = false, hasPairs = false, hasMetatable = false;
    if (lua_getmetatable(L, t)) {
        pushContents(L, -1);
        const int old = lua_gettop(L);
        lua_pushnil(L);
        while (lua_next(L, old) != 0) {
            const char* key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
            const bool ours = !std::strcmp(key, "__index") || !std::strcmp(key, "__newindex") ||
                              !std::strcmp(key, "__mode") || !std::strcmp(key, kBacking) ||
                              !std::strcmp(key, kView);
            hasLength = hasLength || !std::strcmp(key, "__len");
            hasPairs = hasPairs || !std::strcmp(key, "__pairs");
            hasMetatable = hasMetatable || !std::strcmp(key, "__metatable");
            if (ours) {
                lua_pop(L, 1);
            } else {
                lua_pushvalue(L, -2);
                lua_insert(L, -2);
                lua_rawset(L, proxy);
            }
        }
        // What the old metatable's __index found, the hidden table still finds.
        lua_pushliteral(L, "__index");
        if (lua_rawget(L, old) != LUA_TNIL) {
            lua_createtable(L, 0, 1);
            lua_insert(L, -2);
            lua_setfield(L, -2, "__index");
            lua_setmetatable(L, backing);
        } else {
            lua_pop(L, 1);
        }
        lua_pop(L, 2);
    }
    lua_pushvalue(L, backing);
    lua_setfield(L, proxy, "__index");
    lua_pushvalue(L, backing);
    lua_setfield(L, proxy, kBacking);
    lua_pushboolean(L, globals);
    lua_pushcclosure(L, readOnly, 1);
    lua_setfield(L, proxy, "__newindex");
    if (!hasLength) {
        lua_pushvalue(L, backing);
        lua_pushcclosure(L, readOnlyLength, 1);
        lua_setfield(L, proxy, "__len");
    }
    if (!hasPairs) {
        lua_pushvalue(L, backing);
        lua_pushcclosure(L, readOnlyPairs, 1);
        lua_setfield(L, proxy, "__pairs");
    }
    if (!hasMetatable) {
        lua_pushliteral(L, "read-only");
        lua_setfield(L, proxy, "__metatable");
    }
    if (metaKeys) {
        // A copy to serve as a metatable: Lua reads metamethods raw.
        lua_newtable(L);
        lua_pushnil(L);
        while (lua_next(L, backing) != 0) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, -4);
        }
        lua_pushvalue(L, t);
        lua_setfield(L, -2, "__metatable");
        lua_setfield(L, proxy, kView);
    }
    lua_setmetatable(L, t);
    lua_settop(L, backing);  // the hidden table stays on top for the walk
}

bool walked(lua_State* L, int type) {
    return type == LUA_TTABLE || (type == LUA_TFUNCTION && !lua_iscfunction(L, -1));
}

// Pushes the value on top onto the work list (and pops it).
void queue(lua_State* L, int work, lua_Integer& pending) {
    if (walked(L, lua_type(L, -1))) {
        lua_rawseti(L, work, ++pending);
    } else {
        lua_pop(L, 1);
    }
}

// Queues the keys and values of the table at `index`.
void queueContents(lua_State* L, int index, int work, lua_Integer& pending) {
    lua_pushnil(L);
    while (lua_next(L, index) != 0) {
        lua_pushvalue(L, -2);
        queue(L, work, pending);
        queue(L, work, pending);
    }
}

}  // namespace

void freezeLoaded(lua_State* L) {
    lua_newtable(L);
    const int seen = lua_gettop(L);
    lua_newtable(L);
    const int upvalues = lua_gettop(L);
    lua_newtable(L);
    const int work = lua_gettop(L);
    lua_Integer pending = 0, recorded = 0;
    // The string metatable's __index is the string library (frozen through _G).
    lua_pushglobaltable(L);
    lua_rawseti(L, work, ++pending);
    while (pending > 0) {
        lua_rawgeti(L, work, pending);
        lua_pushnil(L);
        lua_rawseti(L, work, pending--);
        const int item = lua_gettop(L);
        lua_pushvalue(L, item);
        if (lua_rawget(L, seen) != LUA_TNIL) {
            lua_settop(L, item - 1);
            continue;
        }
        lua_pop(L, 1);
        lua_pushvalue(L, item);
        lua_pushboolean(L, 1);
        lua_rawset(L, seen);
        lua_budget::chargeSteps(L, 16, " (freezing what the script defined)");
        if (lua_type(L, item) == LUA_TTABLE) {
            lua_pushglobaltable(L);
            const bool globals = lua_rawequal(L, -1, item);
            lua_pop(L, 1);
            if (lua_getmetatable(L, item)) {  // the old metatable's functions and tables
                pushContents(L, -1);
                queueContents(L, lua_gettop(L), work, pending);
                lua_pop(L, 2);
            }
            freezeTable(L, item, globals);
            queueContents(L, lua_gettop(L), work, pending);
        } else {
            for (int n = 1; lua_getupvalue(L, item, n) != nullptr; ++n) {
                lua_pushvalue(L, item);
                lua_rawseti(L, upvalues, ++recorded);
                lua_pushinteger(L, n);
                lua_rawseti(L, upvalues, ++recorded);
                lua_pushvalue(L, -1);
                lua_rawseti(L, upvalues, ++recorded);
                queue(L, work, pending);
            }
        }
        lua_settop(L, item - 1);
    }
    lua_pushvalue(L, upvalues);
    lua_setfield(L, LUA_REGISTRYINDEX, kUpvalues);
    lua_settop(L, seen - 1);
}

void rememberLibraries(lua_State* L) {
    lua_getglobal(L, LUA_MATHLIBNAME);
    lua_getfield(L, -1, "randomseed");
    lua_setfield(L, LUA_REGISTRYINDEX, kRandomSeed);
    lua_pop(L, 1);
}

void restoreLoaded(lua_State* L) {
    lua_getfield(L, LUA_REGISTRYINDEX, kUpvalues);
    const int upvalues = lua_gettop(L);
    const auto count = static_cast<lua_Integer>(lua_rawlen(L, upvalues));
    lua_budget::chargeSteps(L, static_cast<double>(count), " (restoring the script's locals)");
    for (lua_Integer i = 1; i + 2 <= count; i += 3) {
        lua_rawgeti(L, upvalues, i);
        lua_rawgeti(L, upvalues, i + 1);
        const auto n = static_cast<int>(lua_tointeger(L, -1));
        lua_pop(L, 1);
        lua_rawgeti(L, upvalues, i + 2);
        lua_setupvalue(L, -2, n);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, kRandomSeed);
    lua_call(L, 0, 0);
}

void pushLoadedGlobals(lua_State* L) {
    lua_pushglobaltable(L);
    pushContents(L, -1);
    lua_remove(L, -2);
}

int pushLoaded(lua_State* L, const char* name) {
    pushLoadedGlobals(L);
    lua_pushstring(L, name);
    const int type = lua_rawget(L, -2);
    lua_remove(L, -2);
    return type;
}

void useMetatableView(lua_State* L, int index) {
    if (lua_type(L, index) != LUA_TTABLE || !lua_getmetatable(L, index)) return;
    if (lua_getfield(L, -1, kView) == LUA_TTABLE) {
        lua_replace(L, index);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 2);
}

}  // namespace dad::lua_freeze
