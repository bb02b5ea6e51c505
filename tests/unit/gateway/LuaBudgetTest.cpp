// The budgets of a call: every library function and operator whose work
// grows with the bytes it touches, looped, is stopped within a generous
// margin of its budget (the real defaults: 5 million instructions, 50 ms of
// CPU, 8 MiB), by the byte charges alone where it has one, and by the clock.
#include <cppunit/extensions/HelperMacros.h>

#include <chrono>

#include "LuaScript.h"
#include "LuaTestScripts.h"

using dad::LuaLimits;
using lua_test::contains;
using lua_test::errorOf;
using lua_test::secondsSince;

class LuaBudgetTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LuaBudgetTest);
    CPPUNIT_TEST(testLongStringFunctionsAreChargedByTheBytes);
    CPPUNIT_TEST(testLongStringOperatorsAreStoppedByTheClock);
    CPPUNIT_TEST(testPlainLoopIsStoppedByTheClock);
    CPPUNIT_TEST(testOrdinaryWorkOnLongStringsFitsTheBudget);
    CPPUNIT_TEST_SUITE_END();

    // Ample on a busy shared machine; unbounded, each case runs for minutes.
    static constexpr double kMarginSeconds = 2.0;

    static const char* setup() {
        return "local s = string.rep('x', 500000)\n"
               "local digits = string.rep('1', 500000)\n"
               "local zeros, zeros2 = string.rep('\\0', 500000), string.rep('\\0', 500000)\n"
               "local long, long2 = s .. 'y', s .. 'y'\n"
               "local numbers, pieces = {}, {}\n"
               "for i = 1, 50000 do numbers[i] = i end\n"
               "for i = 1, 50 do pieces[i] = string.rep('p', 10000) end\n"
               "local r, a100 = string.rep('r', 10000), string.rep('a', 100)\n"
               "local n = 0\n";
    }

    static void expectStopped(const std::string& loop, const LuaLimits& limits,
                              const std::string& budget) {
        const auto start = std::chrono::steady_clock::now();
        const std::string error =
            errorOf(std::string(setup()) + "while true do " + loop + " end", limits);
        const double seconds = secondsSince(start);
        CPPUNIT_ASSERT_MESSAGE(loop + ": " + error, contains(error, budget));
        CPPUNIT_ASSERT_MESSAGE(loop + " ran " + std::to_string(seconds) + " s",
                               seconds < kMarginSeconds);
    }

public:
    void testLongStringFunctionsAreChargedByTheBytes() {
        LuaLimits noClock;
        noClock.callBudgetMs = 0;
        for (const char* loop :
             {"local u = s:upper()", "local u = s:lower()", "local u = s:reverse()",
              "local u = s:rep(1)", "local u = s:sub(2)", "local a = s:byte(1, 50000)",
              "local u = utf8.len(s)", "local u = table.unpack(numbers)",
              "local u = table.concat(pieces)", "local u = a100:gsub('a', r)",
              "local u = string.format('%s', s)", "local u = tonumber(digits)",
              "local u = digits + 0", "local u = rawequal(long, long2)", "local u = s .. 'z'"}) {
            expectStopped(loop, noClock, "instruction budget of 5000000 exceeded");
        }
    }
    // One instruction each: the clock stops them, checked more often while
    // long strings exist.
    void testLongStringOperatorsAreStoppedByTheClock() {
        for (const char* loop :
             {"if long == long2 then n = n + 1 end", "if zeros < zeros2 then n = n + 1 end",
              "if zeros <= zeros2 then n = n + 1 end"}) {
            expectStopped(loop, LuaLimits(), "time budget of 50 ms (CPU) exceeded");
        }
    }
    void testPlainLoopIsStoppedByTheClock() {
        LuaLimits limits;
        limits.instructions = 1'000'000'000'000;
        const auto start = std::chrono::steady_clock::now();
        const std::string error = errorOf("local n = 0 while true do n = n + 1 end", limits);
        CPPUNIT_ASSERT_MESSAGE(error, contains(error, "test.lua:2: time budget of 50 ms (CPU)"));
        CPPUNIT_ASSERT(secondsSince(start) < kMarginSeconds);
    }
    void testOrdinaryWorkOnLongStringsFitsTheBudget() {
        auto script = lua_test::load(
            "function on_login(e)\n"
            "  local body = string.rep('line of text\\n', 20000)\n"
            "  local upper, lines = body:upper(), 0\n"
            "  for _ in body:gmatch('\\n') do lines = lines + 1 end\n"
            "  if #upper == #body and lines == 20000 and utf8.len(body) == #body then\n"
            "    return allow() end\n"
            "end\n",
            nullptr, LuaLimits());
        dad::LuaOutcome outcome;
        dad::Status s = lua_test::call(*script, "on_login", outcome);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s);
        CPPUNIT_ASSERT(outcome.answer == dad::LuaOutcome::Answer::Allow);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LuaBudgetTest);
