#include <cppunit/extensions/HelperMacros.h>

#include <memory>

#include "LuaBudget.h"
#include "LuaScript.h"
#include "LuaTestScripts.h"

using dad::LuaOutcome;
using dad::LuaScript;
using dad::LuaValue;
using dad::Status;
using lua_test::call;
using lua_test::contains;
using lua_test::errorOf;
using lua_test::load;

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
    CPPUNIT_TEST(testCoroutineIsAbsent);
    CPPUNIT_TEST(testLoopInAFinalizerIsRefused);
    CPPUNIT_TEST(testEndlessLoopInAMessageHandlerStopped);
    CPPUNIT_TEST(testEndlessLoopInACloseHandlerStopped);
    CPPUNIT_TEST(testStringRepOfNothingForeverStopped);
    CPPUNIT_TEST(testStringRepMemoryBombStopped);
    CPPUNIT_TEST(testHugeTableConcatStopped);
    CPPUNIT_TEST(testTableConcatOfEmptyPiecesForeverStopped);
    CPPUNIT_TEST(testTableMoveOverAHugeRangeStopped);
    CPPUNIT_TEST(testTableInsertWithAHugeLengthStopped);
    CPPUNIT_TEST(testHugeFormatWidthRefused);
    CPPUNIT_TEST(testCatastrophicPatternStopped);
    CPPUNIT_TEST(testPlainFindOfALongNeedleStopped);
    CPPUNIT_TEST(testOrdinaryStringWorkStaysWithinBudget);
    CPPUNIT_TEST(testPatternCostModel);
    CPPUNIT_TEST_SUITE_END();

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
            errorOf("local s, t = string.rep('x', 1000), {} for i = 1, 1e9 do t[i] = s .. i end");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error,
                                               "test.lua:2: not enough memory (the script's "
                                               "cap is 4194304 bytes)"));
    }
    void testErrorNamesScriptAndLine() {
        const std::string error = errorOf("local a = nil\nreturn a.b");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "test.lua:3:"));
        // An error without a position still names the script.
        CPPUNIT_ASSERT_EQUAL(std::string("test.lua: plain"), errorOf("error('plain', 0)"));
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

    // The sandbox has no coroutine library, so no second Lua thread (the
    // count hook is per thread) exists to escape the budget.
    void testCoroutineIsAbsent() {
        const std::string error = errorOf("coroutine.wrap(function() while true do end end)()");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "test.lua:2: undefined global 'coroutine'"));
    }
    // Lua runs finalizers with the count hook off: none may be set.
    void testLoopInAFinalizerIsRefused() {
        const std::string error =
            errorOf("local t = setmetatable({}, {__gc = function() while true do end end})");
        CPPUNIT_ASSERT_MESSAGE(error,
                               contains(error, "test.lua:2: __gc (finalizers) is not allowed"));
        Status s;
        CPPUNIT_ASSERT(!load("setmetatable({}, {__gc = function() while true do end end})", &s));
        CPPUNIT_ASSERT_MESSAGE(s.message(), contains(s.message(), "__gc"));
    }
    // Lua would run the handler of an error raised by the count hook with
    // hooks off; the sandbox's xpcall runs it afterwards, under the budget.
    void testEndlessLoopInAMessageHandlerStopped() {
        std::string error = errorOf(
            "xpcall(function() while true do end end, function(m) while true do end end)\n"
            "return allow()");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "test.lua:2: instruction budget"));
        error = errorOf("xpcall(error, function(m) while true do end end, 'x')");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "test.lua:2: instruction budget"));
        auto script = load(
            "function on_login(e)\n"
            "  local ok, why = xpcall(function(a) error('no ' .. a, 0) end, string.upper, 'x')\n"
            "  local fine, v = xpcall(function(a, b) return a + b end, tostring, 1, 2)\n"
            "  if not ok and why == 'NO X' and fine and v == 3 then return allow() end\n"
            "end\n");
        LuaOutcome outcome;
        Status s = call(*script, "on_login", outcome);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s);
        CPPUNIT_ASSERT(outcome.answer == LuaOutcome::Answer::Allow);
    }
    // A to-be-closed variable's __close runs while an error unwinds, with
    // the hook back on: the budget stops it too.
    void testEndlessLoopInACloseHandlerStopped() {
        std::string error = errorOf(
            "local x <close> = setmetatable({}, {__close = function() while true do end end})\n"
            "while true do end");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "instruction budget"));
        error = errorOf(
            "do local x <close> = setmetatable({}, {__close = function() while true do end end}) "
            "end");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "test.lua:2: instruction budget"));
    }
    void testStringRepOfNothingForeverStopped() {
        const std::string error = errorOf("local s = string.rep('', math.maxinteger)");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error,
                                               "test.lua:2: instruction budget of 200000 exceeded "
                                               "(string.rep)"));
        CPPUNIT_ASSERT(contains(errorOf("local s = (''):rep(1e15, '')"), "(string.rep)"));
    }
    void testStringRepMemoryBombStopped() {
        const std::string error = errorOf("local s = string.rep('x', 1e6) local t = s:rep(64)");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "not enough memory"));
    }
    void testHugeTableConcatStopped() {
        const std::string error = errorOf(
            "local s, t = string.rep('x', 100000), {} for i = 1, 100 do t[i] = s end\n"
            "local s = table.concat(t)");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "not enough memory"));
    }
    // table.concat as its own __index answers '' for every index: a C loop
    // without instructions or memory.
    void testTableConcatOfEmptyPiecesForeverStopped() {
        const std::string error = errorOf(
            "local t = setmetatable({}, {__index = table.concat})\n"
            "return table.concat(t, '', 1, math.maxinteger)");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "test.lua:3: instruction budget"));
        CPPUNIT_ASSERT(contains(error, "(table.concat)"));
    }
    void testTableMoveOverAHugeRangeStopped() {
        const std::string error = errorOf("table.move({}, 1, math.maxinteger // 2, 2, {})");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "(table.move)"));
    }
    void testTableInsertWithAHugeLengthStopped() {
        const std::string error = errorOf(
            "local t = setmetatable({}, {__len = function() return math.maxinteger // 2 end})\n"
            "table.insert(t, 1, 'x')");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "(table.insert/table.remove)"));
        CPPUNIT_ASSERT(contains(errorOf("local t = setmetatable({}, {__len = function() return "
                                        "1e15 end}) table.remove(t, 1)"),
                                "instruction budget"));
    }
    void testHugeFormatWidthRefused() {
        const std::string error = errorOf("return string.format('%99999d', 1)");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "test.lua:2:"));
        CPPUNIT_ASSERT(contains(error, "invalid conversion"));
    }
    // Backtracking inside lstrlib's C matcher is invisible to the count hook.
    void testCatastrophicPatternStopped() {
        const std::string error =
            errorOf("local s = string.rep('a', 50000)\nreturn s:find(string.rep('a-', 12) .. 'b')");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "test.lua:3: instruction budget"));
        CPPUNIT_ASSERT(contains(error, "pattern matching"));
        for (const char* call : {"s:match('(.*)(.*)(.*)b')", "s:gsub('.-.-.-b', '')",
                                 "s:gmatch('a*a*a*b')()", "s:find('%b()%1')"}) {
            const std::string e =
                errorOf(std::string("local s = string.rep('a', 50000)\nreturn ") + call);
            CPPUNIT_ASSERT_MESSAGE(std::string(call) + ": " + e, contains(e, "pattern matching"));
        }
    }
    void testPlainFindOfALongNeedleStopped() {
        const std::string error = errorOf(
            "local s = string.rep('a', 1000000)\n"
            "return s:find(string.rep('a', 500000) .. 'b', 1, true)");
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "pattern matching"));
    }
    void testOrdinaryStringWorkStaysWithinBudget() {
        auto script = load(
            "function on_login(e)\n"
            "  local body = string.rep('word ', 200)\n"
            "  local user, domain = ('alice@example.com'):match('^(.-)@(.+)$')\n"
            "  local squeezed = body:gsub('%s+', ' ')\n"
            "  local t = {} for w in body:gmatch('%a+') do t[#t + 1] = w end\n"
            "  table.sort(t) table.insert(t, 1, 'first') table.remove(t, 1)\n"
            "  if domain == 'example.com' and #t == 200 and body:find('word', 1, true) and\n"
            "     table.concat(t, ','):len() > 0 and #squeezed > 0 then return allow() end\n"
            "  return deny('wrong')\n"
            "end\n");
        LuaOutcome outcome;
        Status s = call(*script, "on_login", outcome);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s);
        CPPUNIT_ASSERT(outcome.answer == LuaOutcome::Answer::Allow);
    }
    void testPatternCostModel() {
        using dad::lua_budget::patternCost;
        // Plain text: every start times the pattern.
        CPPUNIT_ASSERT_EQUAL(11.0 * 4, patternCost("abc", 3, 10, true));
        // A repetition followed by more pattern backtracks over the subject at every start.
        CPPUNIT_ASSERT_EQUAL(4.0 * 11 * 11, patternCost("a*b", 3, 10, true));
        CPPUNIT_ASSERT_EQUAL(4.0 * 11 * 11, patternCost("a+$", 3, 10, true));
        // One repetition ending the pattern never goes over the same bytes twice.
        CPPUNIT_ASSERT_EQUAL(4.0 * 11 + 11, patternCost("%s+", 3, 10, true));
        CPPUNIT_ASSERT_EQUAL(6.0 * 11 + 11, patternCost("(%a+)", 5, 10, true));
        // Anchored: one start (gmatch cannot anchor: '^' is then a character).
        CPPUNIT_ASSERT_EQUAL(5.0 * 11, patternCost("^a*b", 4, 10, true));
        CPPUNIT_ASSERT_EQUAL(5.0 * 11 * 11, patternCost("^a*b", 4, 10, false));
        // Two repetitions: the subject squared; a set with '%]' is one item; '?' doubles.
        CPPUNIT_ASSERT_EQUAL(7.0 * 11 * 11 * 11, patternCost("a*.-x.", 6, 10, true));
        CPPUNIT_ASSERT_EQUAL(9.0 * 11 * 2 * 11, patternCost("[%]a]+b?", 8, 10, true));
        // Balance and back references scan the subject.
        CPPUNIT_ASSERT_EQUAL(10.0 * 11 * 11 * 11, patternCost("(a)%bxy%1", 9, 10, true));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LuaScriptTest);
