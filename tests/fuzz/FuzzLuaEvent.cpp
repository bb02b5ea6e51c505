// libFuzzer target: the Lua event encoding. The input describes an event
// (nested strings, numbers, booleans, lists and tables); the policy host
// pushes it into a script that hands it straight back through an action
// (dad.send(e)), and the host reads it back into a LuaValue. Findings: a
// crash or sanitizer report, and an event that comes back other than the
// encoding promises: the same values, an empty list as an empty table, a
// key cut at its first NUL (lua_setfield), tables past kMaxDepth as nil.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "LuaSandbox.h"
#include "LuaScript.h"

namespace {

using dad::LuaValue;
using Kind = LuaValue::Kind;

struct Input {
    const uint8_t* data;
    size_t size;
    size_t at = 0;
    uint8_t byte() { return at < size ? data[at++] : 0; }
    std::string text(size_t n) {
        n = std::min(n, size - at);
        std::string out(reinterpret_cast<const char*>(data) + at, n);
        at += n;
        return out;
    }
};

LuaValue makeValue(Input& in, int depth) {
    const uint8_t b = in.byte();
    switch (depth > 6 ? b % 3 : b % 5) {
        case 0:
            return LuaValue::of((b & 0x80) != 0);
        case 1: {
            double n = 0;
            const std::string bytes = in.text(sizeof n);
            std::memcpy(&n, bytes.data(), bytes.size());
            return LuaValue::of(n);
        }
        case 2:
            return LuaValue::of(in.text(in.byte() % 40));
        case 3: {
            LuaValue v;
            v.kind = Kind::List;
            for (int n = in.byte() % 8; n > 0 && in.at < in.size; --n)
                v.list.push_back(makeValue(in, depth + 1));
            return v;
        }
        default: {
            LuaValue v;
            v.kind = Kind::Table;
            for (int n = in.byte() % 8; n > 0 && in.at < in.size; --n) {
                std::string key = in.text(in.byte() % 8);
                v.table[key] = makeValue(in, depth + 1);
            }
            return v;
        }
    }
}

// What toValue reads back of `v` pushed by pushEvent, at `depth`.
LuaValue expected(const LuaValue& v, int depth) {
    switch (v.kind) {
        case Kind::List: {
            if (depth > dad::lua_sandbox::kMaxDepth) return LuaValue();
            LuaValue out;
            out.kind = v.list.empty() ? Kind::Table : Kind::List;
            for (const LuaValue& item : v.list)
                out.list.push_back(expected(item, depth + 1));
            return out;
        }
        case Kind::Table: {
            if (depth > dad::lua_sandbox::kMaxDepth) return LuaValue();
            LuaValue out;
            out.kind = Kind::Table;
            for (const auto& [key, value] : v.table) {
                const std::string cut = key.substr(0, key.find('\0'));
                if (value.kind == Kind::Nil) {
                    out.table.erase(cut);
                } else {
                    out.table[cut] = expected(value, depth + 1);
                }
            }
            return out;
        }
        default:
            return v;
    }
}

bool same(const LuaValue& a, const LuaValue& b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
        case Kind::Nil:
            return true;
        case Kind::Boolean:
            return a.boolean == b.boolean;
        case Kind::Number:
            return a.number == b.number || (std::isnan(a.number) && std::isnan(b.number));
        case Kind::String:
            return a.text == b.text;
        case Kind::List:
            if (a.list.size() != b.list.size()) return false;
            for (size_t i = 0; i < a.list.size(); ++i) {
                if (!same(a.list[i], b.list[i])) return false;
            }
            return true;
        case Kind::Table:
            if (a.table.size() != b.table.size()) return false;
            for (const auto& [key, value] : a.table) {
                const auto it = b.table.find(key);
                if (it == b.table.end() || !same(value, it->second)) return false;
            }
            return true;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static std::unique_ptr<dad::LuaScript> script = [] {
        std::unique_ptr<dad::LuaScript> s;
        if (!dad::LuaScript::load("echo.lua", "function on_login(e) dad.send(e) end",
                                  dad::LuaLimits(), s))
            abort();
        return s;
    }();
    Input in{data, size};
    LuaValue event;
    event.kind = Kind::Table;
    for (int n = in.byte() % 16; n > 0 && in.at < in.size; --n) {
        std::string key = in.text(in.byte() % 12);
        event.table[key] = makeValue(in, 1);
    }
    dad::LuaOutcome outcome;
    if (!script->call("on_login", event.table, outcome)) return 0;  // over a budget
    if (outcome.actions.size() != 1 || outcome.actions[0].first != "send" ||
        outcome.actions[0].second.size() != 1)
        abort();
    if (!same(expected(event, 0), outcome.actions[0].second[0])) abort();
    return 0;
}
