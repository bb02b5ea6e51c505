// Guarded library functions of the Lua sandbox: each charges its C loop's
// worst case to the instruction budget, then calls the original function
// (kept as the closure's upvalue). No C++ object with a destructor lives
// across a call that may raise a Lua error (Lua unwinds with longjmp).
#include <lua.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "LuaBudget.h"

namespace dad::lua_budget {

namespace {

// Runs the original C function (upvalue 1; none of them reads upvalues) in
// this frame, so its errors name the script's line as they would unwrapped.
int callOriginal(lua_State* L) {
    return lua_tocfunction(L, lua_upvalueindex(1))(L);
}

double steps(double loopSteps) {
    return loopSteps / static_cast<double>(kStepsPerInstruction);
}

// string.rep(s, n [, sep]): n copies; with an empty s and sep the loop
// copies nothing, n times.
int guardedRep(lua_State* L) {
    luaL_checklstring(L, 1, nullptr);
    const lua_Integer n = luaL_checkinteger(L, 2);
    if (n > 0) charge(L, steps(static_cast<double>(n)), " (string.rep)");
    return callOriginal(L);
}

// string.find/match/gmatch/gsub(s, pattern, ...): the pattern's worst case.
template <bool Anchorable, int PlainArgument>
int guardedPattern(lua_State* L) {
    size_t subject = 0;
    size_t length = 0;
    luaL_checklstring(L, 1, &subject);
    const char* pattern = luaL_checklstring(L, 2, &length);
    const bool plain = PlainArgument > 0 && lua_toboolean(L, PlainArgument);
    const double cost = plain
                            ? (static_cast<double>(subject) + 1) * (static_cast<double>(length) + 1)
                            : patternCost(pattern, length, subject, Anchorable);
    charge(L, steps(cost), " (pattern matching: this pattern on this subject is too costly)");
    return callOriginal(L);
}

// table.concat(t [, sep [, i [, j]]]) and table.move(a, f, e, ...): j - i + 1 steps.
int chargeRange(lua_State* L, lua_Integer first, lua_Integer last, const char* what) {
    if (last >= first)
        charge(L, steps(static_cast<double>(last) - static_cast<double>(first) + 1), what);
    return 0;
}

int guardedConcat(lua_State* L) {
    const lua_Integer first = luaL_optinteger(L, 3, 1);
    const lua_Integer last = lua_isnoneornil(L, 4) ? luaL_len(L, 1) : luaL_checkinteger(L, 4);
    chargeRange(L, first, last, " (table.concat)");
    return callOriginal(L);
}

int guardedMove(lua_State* L) {
    chargeRange(L, luaL_checkinteger(L, 2), luaL_checkinteger(L, 3), " (table.move)");
    return callOriginal(L);
}

// table.insert(t, pos, v) and table.remove(t [, pos]) shift up to #t
// elements (#t may come from a __len metamethod).
int guardedShift(lua_State* L) {
    const bool appends =
        lua_gettop(L) == 2 && lua_isstring(L, lua_upvalueindex(2));  // insert(t, v)
    if (!appends) {
        chargeRange(L, 1, luaL_len(L, 1), " (table.insert/table.remove)");
    }
    return callOriginal(L);
}

int guardedSort(lua_State* L) {
    const double n = static_cast<double>(luaL_len(L, 1));
    if (n > 1) charge(L, steps(n * std::log2(n)), " (table.sort)");
    return callOriginal(L);
}

// A finalizer runs with the count hook off (lgc.c), so none may be set.
int guardedSetmetatable(lua_State* L) {
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        const bool finalizer = lua_rawget(L, 2) != LUA_TNIL;
        lua_pop(L, 1);
        if (finalizer) return luaL_error(L, "__gc (finalizers) is not allowed in policy scripts");
    }
    return callOriginal(L);
}

// xpcall(f, handler, ...). Lua runs a message handler where the error is
// raised, and an error raised by the count hook leaves hooks off until the
// stack unwinds: a handler would run unbudgeted. Here it runs after the
// protected call has returned, under the budget (if it fails, so does xpcall).
int guardedXpcall(lua_State* L) {
    const int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 1);
    for (int i = 3; i <= n; ++i)
        lua_pushvalue(L, i);
    if (lua_pcall(L, n < 2 ? 0 : n - 2, LUA_MULTRET, 0) == LUA_OK) {
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

// Replaces table[name] with `guard` closed over the original (and `tag`).
void wrap(lua_State* L, const char* table, const char* name, lua_CFunction guard,
          const char* tag = nullptr) {
    if (table) {
        lua_getfield(L, -1, table);
    } else {
        lua_pushvalue(L, -1);
    }
    lua_getfield(L, -1, name);
    int upvalues = 1;
    if (tag) {
        lua_pushstring(L, tag);
        ++upvalues;
    }
    lua_pushcclosure(L, guard, upvalues);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
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
    wrap(L, LUA_STRLIBNAME, "rep", guardedRep);
    wrap(L, LUA_STRLIBNAME, "find", guardedPattern<true, 4>);
    wrap(L, LUA_STRLIBNAME, "match", guardedPattern<true, 0>);
    wrap(L, LUA_STRLIBNAME, "gmatch", guardedPattern<false, 0>);
    wrap(L, LUA_STRLIBNAME, "gsub", guardedPattern<true, 0>);
    wrap(L, LUA_TABLIBNAME, "concat", guardedConcat);
    wrap(L, LUA_TABLIBNAME, "move", guardedMove);
    wrap(L, LUA_TABLIBNAME, "insert", guardedShift, "insert");
    wrap(L, LUA_TABLIBNAME, "remove", guardedShift);
    wrap(L, LUA_TABLIBNAME, "sort", guardedSort);
    wrap(L, nullptr, "setmetatable", guardedSetmetatable);
    lua_pushcfunction(L, guardedXpcall);
    lua_setfield(L, -2, "xpcall");
    lua_pop(L, 1);
}

}  // namespace dad::lua_budget
