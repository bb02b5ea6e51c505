// LuaFreeze: what a policy script defined at load stays as it was for every
// call (internal to gateway/policy/Lua*.cpp).
//
// After the top level has run, the global table and every table reachable
// from it (through values, keys, metatables and the upvalues of Lua
// functions; the libraries and `dad` included) become read-only in place:
// their contents move to a hidden table, reads go through __index, __len and
// __pairs, and any write is an error. The upvalues of those functions (the
// chunk's local variables) are put back to their values at load before each
// call, and math.random is reseeded, so nothing one call does carries into
// the next.
#pragma once

struct lua_State;

namespace dad::lua_freeze {

// Keeps what restoreLoaded needs of the libraries, before any script runs.
void rememberLibraries(lua_State* L);

// REQUIRES: in a protected call, after the script's top level has run.
void freezeLoaded(lua_State* L);

// Puts back the upvalues and reseeds math.random. REQUIRES: freezeLoaded ran.
void restoreLoaded(lua_State* L);

// Pushes the table of the globals as loaded, or the global `name` (no
// __index), returning its Lua type.
void pushLoadedGlobals(lua_State* L);
int pushLoaded(lua_State* L, const char* name);

// If the table at `index` is read-only, replaces it there with its view as a
// metatable (its fields, with __metatable answering the table itself), so
// setmetatable(obj, Class) works with a Class defined at load.
void useMetatableView(lua_State* L, int index);

}  // namespace dad::lua_freeze
