// What crosses between a policy script and the gateway: nothing a script
// holds or hands over can crash the daemon or make the host copy more than
// the script's memory cap, and text is cut and escaped before it leaves.
#include <cppunit/extensions/HelperMacros.h>

#include "LuaScript.h"
#include "LuaTestScripts.h"
#include "Text.h"

using dad::LuaOutcome;
using dad::LuaValue;
using dad::Status;
using lua_test::call;
using lua_test::contains;
using lua_test::errorOf;
using lua_test::load;

class LuaSandboxTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LuaSandboxTest);
    CPPUNIT_TEST(testMemoryHeldSinceLoadFailsEachCallWithoutAborting);
    CPPUNIT_TEST(testMemoryFilledByOneCallDoesNotAbortTheNext);
    CPPUNIT_TEST(testPcallCannotCatchAMemoryError);
    CPPUNIT_TEST(testActionRepeatingALongStringIsCharged);
    CPPUNIT_TEST(testActionRepeatingALargeTableIsCharged);
    CPPUNIT_TEST(testLogOfManyReferencesToALongStringIsCut);
    CPPUNIT_TEST(testDenyReasonIsCutAndEscaped);
    CPPUNIT_TEST(testErrorMessageIsCutAndEscaped);
    CPPUNIT_TEST(testStringLongerThanTheLimitRefused);
    CPPUNIT_TEST(testLongEventStringsAreCut);
    CPPUNIT_TEST(testPrintableExcerpt);
    CPPUNIT_TEST_SUITE_END();

    static std::map<std::string, LuaValue> eventWith(const std::string& text) {
        std::map<std::string, LuaValue> event;
        event["user"] = LuaValue::of("alice");
        event["path"] = LuaValue::of(text);
        return event;
    }

public:
    // The event table used to be built outside the protected call: with the
    // cap taken by what the script keeps, Lua panicked and dadgate aborted.
    void testMemoryHeldSinceLoadFailsEachCallWithoutAborting() {
        auto script = load(
            "local keep, s = {}, string.rep('x', 900000)\n"
            "for i = 1, 3 do keep[i] = s .. i end\n"
            "function on_login(e) return keep and s and allow() end\n");
        for (int i = 0; i < 3; ++i) {
            LuaOutcome outcome;
            Status s = script->call("on_login", eventWith(std::string(900000, 'p')), outcome);
            CPPUNIT_ASSERT(!s);
            CPPUNIT_ASSERT_MESSAGE(s.message(), contains(s.message(), "not enough memory"));
        }
        LuaOutcome outcome;
        CPPUNIT_ASSERT(script->call("on_login", eventWith("/small"), outcome));
        CPPUNIT_ASSERT(outcome.answer == LuaOutcome::Answer::Allow);
    }
    void testMemoryFilledByOneCallDoesNotAbortTheNext() {
        auto script = load(
            "function on_login(e)\n"
            "  if e.user == 'alice' then local t, s = {}, string.rep('x', 1000)\n"
            "    for i = 1, 1e9 do t[i] = s .. i end end\n"
            "  return allow()\n"
            "end\n");
        for (int i = 0; i < 2; ++i) {
            LuaOutcome outcome;
            Status s = call(*script, "on_login", outcome);
            CPPUNIT_ASSERT_MESSAGE(s.message(),
                                   contains(s.message(), "test.lua:3: not enough memory"));
        }
        LuaOutcome outcome;
        std::map<std::string, LuaValue> bob;
        bob["user"] = LuaValue::of("bob");
        Status s = script->call("on_login", bob, outcome);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s);
    }
    // A caught memory error would let a loop run a full collection per
    // iteration; it ends the call instead.
    void testPcallCannotCatchAMemoryError() {
        const std::string error = errorOf(
            "local s = string.rep('x', 1000)\n"
            "for i = 1, 100 do pcall(function() local t = {} for j = 1, 1e9 do t[j] = s .. j end "
            "end) end\nreturn allow()");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "not enough memory"));
        CPPUNIT_ASSERT(contains(errorOf("local ok = pcall(string.rep, 'x', 2e6) return allow()"),
                                "string longer than the limit of 1048576 bytes"));
    }
    void testActionRepeatingALongStringIsCharged() {
        const std::string error = errorOf(
            "local s, t = string.rep('x', 500000), {}\n"
            "for i = 1, 10000 do t[i] = s end\n"
            "dad.set_recipients(t)");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "test.lua:4: not enough memory"));
        auto script = load(
            "function on_login(e) local t = {} for i = 1, 50 do t[i] = 'user' .. i end "
            "dad.set_recipients(t) end");
        LuaOutcome outcome;
        CPPUNIT_ASSERT(call(*script, "on_login", outcome));
        CPPUNIT_ASSERT_EQUAL(size_t(50), outcome.actions.at(0).second.at(0).list.size());
    }
    void testActionRepeatingALargeTableIsCharged() {
        const std::string error = errorOf(
            "local row = {} for i = 1, 10000 do row[i] = i end\n"
            "local t = {} for i = 1, 10000 do t[i] = row end\n"
            "dad.notify({t, t, t})");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "not enough memory"));
    }
    void testLogOfManyReferencesToALongStringIsCut() {
        auto script = load(
            "function on_login(e)\n"
            "  local s, t = string.rep('x', 1000000), {}\n"
            "  for i = 1, 200 do t[i] = s end\n"
            "  for i = 1, 150 do log(table.unpack(t)) end\n"
            "end\n");
        LuaOutcome outcome;
        Status s = call(*script, "on_login", outcome);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s);
        CPPUNIT_ASSERT_EQUAL(size_t(100), outcome.logLines.size());
        CPPUNIT_ASSERT(outcome.logLines[0].size() <= dad::kPrintableLimit);
        CPPUNIT_ASSERT_MESSAGE(outcome.logLines[0],
                               contains(outcome.logLines[0], "... (200000199 bytes)"));
    }
    void testDenyReasonIsCutAndEscaped() {
        auto script = load("function on_login(e) return deny(string.rep('no\\r\\n', 200000)) end");
        LuaOutcome outcome;
        CPPUNIT_ASSERT(call(*script, "on_login", outcome));
        CPPUNIT_ASSERT(outcome.answer == LuaOutcome::Answer::Deny);
        CPPUNIT_ASSERT(outcome.reason.size() <= dad::kPrintableLimit);
        CPPUNIT_ASSERT_EQUAL(std::string::npos, outcome.reason.find_first_of("\r\n"));
        CPPUNIT_ASSERT(contains(outcome.reason, "no\\r\\nno"));
    }
    void testErrorMessageIsCutAndEscaped() {
        const std::string error = errorOf("error(string.rep('bad\\n', 200000))");
        CPPUNIT_ASSERT(error.size() <= dad::kPrintableLimit);
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "test.lua:2: bad\\nbad"));
        CPPUNIT_ASSERT(contains(error, "(800012 bytes)"));
    }
    void testStringLongerThanTheLimitRefused() {
        const std::string error = errorOf("local s = string.rep('x', 600000) local t = s .. s");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error,
                                               "test.lua:2: string longer than the limit of "
                                               "1048576 bytes"));
    }
    void testLongEventStringsAreCut() {
        auto script = load("function on_login(e) log(#e.path) end");
        LuaOutcome outcome;
        CPPUNIT_ASSERT(script->call("on_login", eventWith(std::string(2000000, 'p')), outcome));
        CPPUNIT_ASSERT_EQUAL(std::string("1048576"), outcome.logLines.at(0));
    }
    void testPrintableExcerpt() {
        using dad::printableExcerpt;
        CPPUNIT_ASSERT_EQUAL(std::string("a\\tb\\x01\\x7f\\n"), printableExcerpt("a\tb\x01\x7f\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("h\xc3\xa9"), printableExcerpt("h\xc3\xa9"));
        CPPUNIT_ASSERT_EQUAL(std::string("abc"), printableExcerpt("abc", 3));
        CPPUNIT_ASSERT_EQUAL(std::string("abcde... (20 bytes)"),
                             printableExcerpt(std::string(20, 'a').replace(0, 8, "abcdefgh"), 19));
        // Never half an escape or half a UTF-8 sequence.
        CPPUNIT_ASSERT_EQUAL(std::string("ab... (40 bytes)"),
                             printableExcerpt("ab\n" + std::string(37, 'x'), 17));
        CPPUNIT_ASSERT_EQUAL(std::string("ab... (40 bytes)"),
                             printableExcerpt("ab\xc3\xa9" + std::string(36, 'x'), 17));
        CPPUNIT_ASSERT_EQUAL(std::string("abc... (99 bytes)"), printableExcerpt("abc", 100, 99));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LuaSandboxTest);
