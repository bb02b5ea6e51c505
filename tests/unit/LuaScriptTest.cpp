#include <cppunit/extensions/HelperMacros.h>

#include <memory>

#include "LuaScript.h"

using dad::LuaLimits;
using dad::LuaOutcome;
using dad::LuaScript;
using dad::LuaValue;
using dad::Status;

class LuaScriptTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LuaScriptTest);
    CPPUNIT_TEST(testDenyWithReason);
    CPPUNIT_TEST(testEventFieldsAreReadable);
    CPPUNIT_TEST(testActionsAreRecorded);
    CPPUNIT_TEST(testBytecodeRefused);
    CPPUNIT_TEST(testDangerousLibrariesAreAbsent);
    CPPUNIT_TEST(testStringDumpIsAbsent);
    CPPUNIT_TEST(testProtectedGlobalsMetatable);
    CPPUNIT_TEST(testEndlessLoopStopped);
    CPPUNIT_TEST(testEndlessLoopUnderPcallStopped);
    CPPUNIT_TEST(testEndlessLoopAtLoadStopped);
    CPPUNIT_TEST(testMemoryBombStopped);
    CPPUNIT_TEST(testErrorNamesScriptAndLine);
    CPPUNIT_TEST(testGlobalsFrozenAfterLoad);
    CPPUNIT_TEST(testScriptStillWorksAfterARunawayCall);
    CPPUNIT_TEST_SUITE_END();

    static std::unique_ptr<LuaScript> load(const std::string& source, Status* status = nullptr) {
        std::unique_ptr<LuaScript> script;
        LuaLimits limits;
        limits.instructions = 200000;
        limits.memoryBytes = 4 * 1024 * 1024;
        Status s = LuaScript::load("test.lua", source, limits, script);
        if (status) *status = s;
        return script;
    }

    static Status call(LuaScript& script, const std::string& fn, LuaOutcome& outcome) {
        std::map<std::string, LuaValue> event;
        event["user"] = LuaValue::of("alice");
        event["size"] = LuaValue::of(int64_t{42});
        return script.call(fn, event, outcome);
    }

    static std::string errorOf(const std::string& body) {
        auto script = load("function on_login(e)\n" + body + "\nend\n");
        CPPUNIT_ASSERT(script);
        LuaOutcome outcome;
        Status s = call(*script, "on_login", outcome);
        CPPUNIT_ASSERT_MESSAGE("expected an error from: " + body, !s);
        return s.message();
    }

    static bool contains(const std::string& text, const std::string& part) {
        return text.find(part) != std::string::npos;
    }

public:
    void testDenyWithReason() {
        auto script = load("function on_login(e) return deny('not today') end");
        LuaOutcome outcome;
        CPPUNIT_ASSERT(call(*script, "on_login", outcome));
        CPPUNIT_ASSERT(outcome.answer == LuaOutcome::Answer::Deny);
        CPPUNIT_ASSERT_EQUAL(std::string("not today"), outcome.reason);
        CPPUNIT_ASSERT(script->defines("on_login"));
        CPPUNIT_ASSERT(!script->defines("on_connect"));
    }
    void testEventFieldsAreReadable() {
        auto script = load(
            "function on_login(e) if e.user == 'alice' and e.size == 42 then return allow() end "
            "return deny('wrong') end");
        LuaOutcome outcome;
        CPPUNIT_ASSERT(call(*script, "on_login", outcome));
        CPPUNIT_ASSERT(outcome.answer == LuaOutcome::Answer::Allow);
    }
    void testActionsAreRecorded() {
        auto script = load(
            "function on_login(e) dad.set_expiry(3600) dad.set_recipients({'bob', 'c@x.org'}) "
            "log('hello', 1) end");
        LuaOutcome outcome;
        CPPUNIT_ASSERT(call(*script, "on_login", outcome));
        CPPUNIT_ASSERT_EQUAL(size_t(2), outcome.actions.size());
        CPPUNIT_ASSERT_EQUAL(std::string("set_expiry"), outcome.actions[0].first);
        CPPUNIT_ASSERT_EQUAL(3600.0, outcome.actions[0].second.at(0).number);
        CPPUNIT_ASSERT_EQUAL(std::string("c@x.org"),
                             outcome.actions[1].second.at(0).list.at(1).text);
        CPPUNIT_ASSERT_EQUAL(std::string("hello 1"), outcome.logLines.at(0));
    }
    void testBytecodeRefused() {
        Status s;
        auto script = load(std::string("\x1bLua\x54", 5) + "rest", &s);
        CPPUNIT_ASSERT(!script);
        CPPUNIT_ASSERT(contains(s.message(), "bytecode"));
    }
    void testDangerousLibrariesAreAbsent() {
        for (const char* name : {"os", "io", "debug", "package", "require", "dofile", "load",
                                 "loadfile", "collectgarbage"}) {
            const std::string error = errorOf(std::string("local x = ") + name);
            CPPUNIT_ASSERT_MESSAGE(error,
                                   contains(error, std::string("undefined global '") + name));
        }
    }
    void testStringDumpIsAbsent() {
        CPPUNIT_ASSERT(contains(errorOf("return string.dump(on_login)"), "dump"));
    }
    void testProtectedGlobalsMetatable() {
        CPPUNIT_ASSERT(contains(errorOf("setmetatable(_G, {})"), "protected metatable"));
    }
    void testEndlessLoopStopped() {
        CPPUNIT_ASSERT(contains(errorOf("while true do end"), "instruction budget"));
    }
    void testEndlessLoopUnderPcallStopped() {
        const std::string error =
            errorOf("while true do pcall(function() while true do end end) end");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "instruction budget"));
    }
    void testEndlessLoopAtLoadStopped() {
        Status s;
        CPPUNIT_ASSERT(!load("while true do end", &s));
        CPPUNIT_ASSERT_MESSAGE(s.message(), contains(s.message(), "test.lua:1:"));
        CPPUNIT_ASSERT(contains(s.message(), "instruction budget"));
    }
    void testMemoryBombStopped() {
        const std::string error =
            errorOf("local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "not enough memory"));
    }
    void testErrorNamesScriptAndLine() {
        const std::string error = errorOf("local a = nil\nreturn a.b");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "test.lua:3:"));
    }
    void testGlobalsFrozenAfterLoad() {
        CPPUNIT_ASSERT(contains(errorOf("x = 1"), "cannot set global 'x'"));
    }
    void testScriptStillWorksAfterARunawayCall() {
        auto script = load(
            "function on_login(e) if e.user == 'alice' then while true do end end return "
            "allow() end");
        LuaOutcome outcome;
        CPPUNIT_ASSERT(!call(*script, "on_login", outcome));
        std::map<std::string, LuaValue> event;
        event["user"] = LuaValue::of("bob");
        CPPUNIT_ASSERT(script->call("on_login", event, outcome));
        CPPUNIT_ASSERT(outcome.answer == LuaOutcome::Answer::Allow);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LuaScriptTest);
