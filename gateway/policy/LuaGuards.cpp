// Guarded library functions of the Lua sandbox: each charges its C loop's
// worst case to the budget before it runs, calls the original function (kept
// as the closure's upvalue), then charges what it made: the bytes of the
// strings it returns and one step per result. No C++ object with a
// destructor lives across a call that may raise a Lua error (Lua unwinds
// with longjmp).
#include <lua.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "LuaBudget.h"
#include "LuaFreeze.h"

namespace dad::lua_budget {

namespace {

// What a guard charges before the original runs, in C loop steps.
using PreCharge = double (*)(lua_State* L);

double nothing(lua_State*) {
    return 0;
}

// string.rep(s, n [, sep]): n copies, charged as the bytes made; with an
// empty s and sep the loop copies nothing, n times.
double repCount(lua_State* L) {
    size_t length = 0;
    luaL_checklstring(L, 1, &length);
    const lua_Integer n = luaL_checkinteger(L, 2);
    size_t separator = 0;
    luaL_optlstring(L, 3, "", &separator);
    const bool empty = length == 0 && separator == 0;
    return n > 0 && empty ? static_cast<double>(n) : 0;
}

// string.find/match/gmatch/gsub(s, pattern, ...): the pattern's worst case.
template <bool Anchorable, int PlainArgument>
double patternSteps(lua_State* L) {
    size_t subject = 0;
    size_t length = 0;
    luaL_checklstring(L, 1, &subject);
    const char* pattern = luaL_checklstring(L, 2, &length);
    const bool plain = PlainArgument > 0 && lua_toboolean(L, PlainArgument);
    return plain ? (static_cast<double>(subject) + 1) * (static_cast<double>(length) + 1)
                 : patternCost(pattern, length, subject, Anchorable);
}

double range(lua_Integer first, lua_Integer last) {
    return last >= first ? static_cast<double>(last) - static_cast<double>(first) + 1 : 0;
}

// table.concat(t [, sep [, i [, j]]]) and table.unpack(t [, i [, j]]): j - i + 1.
template <int FirstArgument>
double tableRange(lua_State* L) {
    const lua_Integer first = luaL_optinteger(L, FirstArgument, 1);
    const lua_Integer last = lua_isnoneornil(L, FirstArgument + 1)
                                 ? luaL_len(L, 1)
                                 : luaL_checkinteger(L, FirstArgument + 1);
    return range(first, last);
}

double moveRange(lua_State* L) {
    return range(luaL_checkinteger(L, 2), luaL_checkinteger(L, 3));
}

// table.insert(t, pos, v) and table.remove(t [, pos]) shift up to #t
// elements (#t may come from a __len metamethod); insert(t, v) appends.
double shiftSteps(lua_State* L) {
    const bool appends = lua_gettop(L) == 2 && lua_isstring(L, lua_upvalueindex(3));
    return appends ? 0 : range(1, luaL_len(L, 1));
}

double sortSteps(lua_State* L) {
    const double n = static_cast<double>(luaL_len(L, 1));
    return n > 1 ? n * std::log2(n) : 0;
}

// Functions that scan their string arguments without making anything as
// long (utf8.len, tonumber, string.unpack, rawequal, string arithmetic).
double stringArguments(lua_State* L) {
    double bytes = 0;
    for (int i = 1; i <= lua_gettop(L); ++i) {
        if (lua_type(L, i) == LUA_TSTRING) bytes += static_cast<double>(lua_rawlen(L, i));
    }
    return bytes;
}

// Functions whose work is their arguments (table.pack, string.char, utf8.char).
double argumentCount(lua_State* L) {
    return lua_gettop(L);
}

// The guard: upvalue 1 the original, 2 its pre-charge, 3 a tag, 4 `what` for
// the budget's message, 5 whether the strings it returns are new (not
// references to the script's own, as table.unpack's).
int chargedCall(lua_State* L) {
    const auto pre = reinterpret_cast<PreCharge>(lua_touserdata(L, lua_upvalueindex(2)));
    const char* what = lua_tostring(L, lua_upvalueindex(4));
    if (const double cost = pre(L); cost > 0) chargeSteps(L, cost, what);
    // Run in this frame, so its errors name the script's line as they would unwrapped.
    const int results = lua_tocfunction(L, lua_upvalueindex(1))(L);
    double made = results;
    const bool makesStrings = lua_toboolean(L, lua_upvalueindex(5));
    for (int i = lua_gettop(L) - results + 1; makesStrings && i <= lua_gettop(L); ++i) {
        if (lua_type(L, i) == LUA_TSTRING) made += static_cast<double>(lua_rawlen(L, i));
    }
    chargeSteps(L, made, what);
    return results;
}

// A finalizer runs with the count hook off (lgc.c), so none may be set. A
// metatable defined at load is read-only: its view serves (LuaFreeze.h).
int guardedSetmetatable(lua_State* L) {
    lua_freeze::useMetatableView(L, 2);
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        const bool finalizer = lua_rawget(L, 2) != LUA_TNIL;
        lua_pop(L, 1);
        if (finalizer) return luaL_error(L, "__gc (finalizers) is not allowed in policy scripts");
    }
    return lua_tocfunction(L, lua_upvalueindex(1))(L);
}

// pcall(f, ...): as Lua's, except that a stop of the budget or a memory
// error is not caught: it ends the whole call.
int guardedPcall(lua_State* L) {
    luaL_checkany(L, 1);
    const int rc = stopAfterProtectedCall(L, lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0));
    lua_pushboolean(L, rc == LUA_OK);
    lua_insert(L, 1);
    return lua_gettop(L);
}

// xpcall(f, handler, ...). Lua runs a message handler where the error is
// raised, and an error raised by the count hook leaves hooks off until the
// stack unwinds: a handler would run unbudgeted. Here it runs after the
// protected call has returned, under the budget (if it fails, so does
// xpcall); stops and memory errors pass as with pcall.
int guardedXpcall(lua_State* L) {
    const int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 1);
    for (int i = 3; i <= n; ++i)
        lua_pushvalue(L, i);
    if (stopAfterProtectedCall(L, lua_pcall(L, n < 2 ? 0 : n - 2, LUA_MULTRET, 0)) == LUA_OK) {
        lua_pushboolean(L, 1);
        lua_insert(L, n + 1);
        return lua_gettop(L) - n;
    }
    lua_pushvalue(L, 2);
    lua_insert(L, -2);
    lua_call(L, 1, 1);
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

// Replaces table[name] (the table on top of the stack) with the charged
// version of its function.
void charged(lua_State* L, const char* name, PreCharge pre, const char* what,
             const char* tag = nullptr, bool makesStrings = true) {
    lua_getfield(L, -1, name);
    lua_pushlightuserdata(L, reinterpret_cast<void*>(pre));
    if (tag) {
        lua_pushstring(L, tag);
    } else {
        lua_pushnil(L);
    }
    lua_pushstring(L, what);
    lua_pushboolean(L, makesStrings);
    lua_pushcclosure(L, chargedCall, 5);
    lua_setfield(L, -2, name);
}

// Replaces table[name] with `guard` closed over the original.
void guarded(lua_State* L, const char* name, lua_CFunction guard) {
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, guard, 1);
    lua_setfield(L, -2, name);
}

// Index after the set starting at p[i] == '[' (lstrlib's classEnd: the first
// character, even ']', belongs to the set).
size_t skipSet(const char* p, size_t length, size_t i) {
    size_t j = i + 1;
    if (j < length && p[j] == '^') ++j;
    do {
        if (j >= length) return length;
        j += p[j] == '%' ? 2 : 1;
    } while (j < length && p[j] != ']');
    return j < length ? j + 1 : length;
}

}  // namespace

double patternCost(const char* p, size_t length, size_t subjectLength, bool anchorable) {
    const double subject = static_cast<double>(subjectLength) + 1;
    const double patternSteps = static_cast<double>(length) + 1;
    bool special = false;
    for (size_t k = 0; k < length && !special; ++k)
        special = std::strchr("^$*+?.([%-", p[k]) != nullptr && p[k] != '\0';
    if (!special) return subject * patternSteps;  // compared as plain text
    size_t i = 0;
    double cost = patternSteps;  // one try: each item once
    if (anchorable && length > 0 && p[0] == '^') {
        i = 1;
    } else {
        cost *= subject;  // tried at every start
    }
    int scans = 0;          // items that may go over the subject again on each backtrack
    bool trailing = false;  // the last repetition ends the pattern
    while (i < length) {
        const char c = p[i];
        size_t end = i + 1;  // after one single-character item
        if (c == '(' || c == ')' || c == '$') {
            i = end;
            continue;
        }
        if (c == '%' && i + 1 < length) {
            const char e = p[i + 1];
            if (e == 'b' || (e >= '0' && e <= '9')) {  // balance and back reference scan
                ++scans;
                trailing = false;
                i += e == 'b' ? 4 : 2;
                continue;
            }
            if (e == 'f') {
                i = i + 2 < length ? skipSet(p, length, i + 2) : length;
                continue;
            }
            end = i + 2;
        } else if (c == '[') {
            end = skipSet(p, length, i);
        }
        if (end < length) {
            const char q = p[end];
            if (q == '*' || q == '+' || q == '-') {
                ++scans;
                ++end;
                // Followed by nothing that can fail: the first expansion
                // succeeds, so expansions never repeat over the same bytes.
                trailing = std::find_if(p + end, p + length, [](char x) { return x != ')'; }) ==
                           p + length;
            } else if (q == '?') {
                cost *= 2;
                ++end;
            }
        }
        i = end;
    }
    if (scans == 1 && trailing) return cost + subject;
    return cost * std::pow(subject, scans);
}

void installGuards(lua_State* L) {
    lua_pushglobaltable(L);
    lua_getfield(L, -1, LUA_STRLIBNAME);
    charged(L, "rep", repCount, " (string.rep)");
    const char* pattern = " (pattern matching: this pattern on this subject is too costly)";
    charged(L, "find", patternSteps<true, 4>, pattern);
    charged(L, "match", patternSteps<true, 0>, pattern);
    charged(L, "gmatch", patternSteps<false, 0>, pattern);
    charged(L, "gsub", patternSteps<true, 0>, pattern);
    for (const char* name : {"upper", "lower", "reverse", "sub", "byte", "format", "pack"})
        charged(L, name, nothing, " (string functions: too many bytes)");
    charged(L, "char", argumentCount, " (string.char)");
    charged(L, "unpack", stringArguments, " (string.unpack)");
    lua_pop(L, 1);
    lua_getfield(L, -1, LUA_TABLIBNAME);
    charged(L, "concat", tableRange<3>, " (table.concat)");
    charged(L, "unpack", tableRange<2>, " (table.unpack)", nullptr, false);
    charged(L, "pack", argumentCount, " (table.pack)");
    charged(L, "move", moveRange, " (table.move)");
    charged(L, "insert", shiftSteps, " (table.insert/table.remove)", "insert");
    charged(L, "remove", shiftSteps, " (table.insert/table.remove)", nullptr, false);
    charged(L, "sort", sortSteps, " (table.sort)");
    lua_pop(L, 1);
    lua_getfield(L, -1, LUA_UTF8LIBNAME);
    for (const char* name : {"len", "offset", "codepoint"})
        charged(L, name, stringArguments, " (utf8 functions: too many bytes)");
    charged(L, "char", argumentCount, " (utf8.char)");
    lua_pop(L, 1);
    charged(L, "tonumber", stringArguments, " (tonumber)");
    charged(L, "rawequal", stringArguments, " (rawequal)");
    guarded(L, "setmetatable", guardedSetmetatable);
    guarded(L, "pcall", guardedPcall);
    lua_pushcfunction(L, guardedXpcall);
    lua_setfield(L, -2, "xpcall");
    // Arithmetic on strings ("10" + 1) converts them in the string
    // metatable's C functions; the metatable itself is read-only.
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    for (const char* name :
         {"__add", "__sub", "__mul", "__div", "__mod", "__pow", "__unm", "__idiv"}) {
        charged(L, name, stringArguments, " (arithmetic on strings)");
    }
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 3);
}

}  // namespace dad::lua_budget
