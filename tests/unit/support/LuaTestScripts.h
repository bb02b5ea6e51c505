// LuaTestScripts: loading and calling policy scripts in the unit tests of
// the Lua host (LuaScriptTest, LuaSandboxTest, LuaBudgetTest).
#pragma once

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "LuaScript.h"

namespace lua_test {

inline dad::LuaLimits smallLimits() {
    dad::LuaLimits limits;
    limits.instructions = 200000;
    limits.memoryBytes = 4 * 1024 * 1024;
    return limits;
}

inline std::unique_ptr<dad::LuaScript> load(const std::string& source,
                                            dad::Status* status = nullptr,
                                            const dad::LuaLimits& limits = smallLimits()) {
    std::unique_ptr<dad::LuaScript> script;
    dad::Status s = dad::LuaScript::load("test.lua", source, limits, script);
    if (status) {
        *status = s;
    } else {
        CPPUNIT_ASSERT_MESSAGE(s.message(), s);
    }
    return script;
}

inline dad::Status call(dad::LuaScript& script, const std::string& fn, dad::LuaOutcome& outcome) {
    std::map<std::string, dad::LuaValue> event;
    event["user"] = dad::LuaValue::of("alice");
    event["size"] = dad::LuaValue::of(int64_t{42});
    return script.call(fn, event, outcome);
}

// The error of on_login(e) whose body is `body`; fails the test when it succeeds.
inline std::string errorOf(const std::string& body, const dad::LuaLimits& limits = smallLimits()) {
    auto script = load("function on_login(e)\n" + body + "\nend\n", nullptr, limits);
    CPPUNIT_ASSERT(script);
    dad::LuaOutcome outcome;
    dad::Status s = call(*script, "on_login", outcome);
    CPPUNIT_ASSERT_MESSAGE("expected an error from: " + body, !s);
    return s.message();
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

inline double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace lua_test
