// What a script defined at load stays as it was for every call: its globals,
// the libraries, its tables and its local variables.
#include <cppunit/extensions/HelperMacros.h>

#include "LuaScript.h"
#include "LuaTestScripts.h"

using dad::LuaOutcome;
using dad::Status;
using lua_test::call;
using lua_test::contains;
using lua_test::load;

class LuaFreezeTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LuaFreezeTest);
    CPPUNIT_TEST(testReassigningLoadedGlobalsIsAnError);
    CPPUNIT_TEST(testLibraryTablesAreReadOnly);
    CPPUNIT_TEST(testTablesDefinedAtLoadAreReadOnly);
    CPPUNIT_TEST(testLocalsOfTheChunkStartEachCallAsLoaded);
    CPPUNIT_TEST(testReadOnlyTablesReadAsBefore);
    CPPUNIT_TEST(testClassDefinedAtLoadServesAsMetatable);
    CPPUNIT_TEST(testRandomSeedDoesNotCarry);
    CPPUNIT_TEST_SUITE_END();

    // Runs on_login twice: the first call runs `change` (which must fail
    // with `error`), the second must still answer allow.
    static void expectRefused(const std::string& change, const std::string& error) {
        auto script = load(
            "local first = true\n"
            "function on_login(e)\n"
            "  if e.user == 'alice' then " +
            change +
            " end\n"
            "  return allow()\n"
            "end\n");
        LuaOutcome outcome;
        Status s = call(*script, "on_login", outcome);
        CPPUNIT_ASSERT_MESSAGE(change + " was allowed", !s);
        CPPUNIT_ASSERT_MESSAGE(change + ": " + s.message(), contains(s.message(), error));
        std::map<std::string, dad::LuaValue> bob;
        bob["user"] = dad::LuaValue::of("bob");
        s = script->call("on_login", bob, outcome);
        CPPUNIT_ASSERT_MESSAGE(change + ", then: " + s.message(), s);
        CPPUNIT_ASSERT(outcome.answer == LuaOutcome::Answer::Allow);
    }

    static std::string reasonOf(dad::LuaScript& script) {
        LuaOutcome outcome;
        Status s = call(script, "on_login", outcome);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s);
        return outcome.reason;
    }

public:
    void testReassigningLoadedGlobalsIsAnError() {
        for (const char* name : {"on_login", "allow", "deny", "dad", "log", "now", "string"}) {
            expectRefused(std::string(name) + " = nil", std::string("cannot set global '") + name);
        }
        expectRefused("allow = function() return false end", "cannot set global 'allow'");
        expectRefused("fresh = 1", "cannot set global 'fresh'");
        expectRefused("_G.allow = nil", "cannot set global 'allow'");
    }
    void testLibraryTablesAreReadOnly() {
        for (const char* change : {"string.upper = nil", "table.insert = tostring", "math.pi = 3",
                                   "utf8.len = nil", "dad.set_recipients = nil",
                                   "table.insert(string, 'x')", "table.move({1}, 1, 1, 1, math)"}) {
            expectRefused(change, "read-only");
        }
        expectRefused("getmetatable('').__index.upper = nil", "attempt to index");
        expectRefused("setmetatable(string, {})", "protected metatable");
    }
    void testTablesDefinedAtLoadAreReadOnly() {
        auto script = load(
            "CONFIG = {domains = {'example.com'}}\n"
            "local seen = {}\n"
            "function on_login(e)\n"
            "  if e.user == 'alice' then CONFIG.domains[1] = 'evil.org' end\n"
            "  if e.user == 'carol' then seen[#seen + 1] = e.user end\n"
            "  return deny(CONFIG.domains[1] .. #seen)\n"
            "end\n");
        LuaOutcome outcome;
        Status s = call(*script, "on_login", outcome);
        CPPUNIT_ASSERT_MESSAGE(s.message(), contains(s.message(), "test.lua:4: cannot set '1'"));
        std::map<std::string, dad::LuaValue> event;
        event["user"] = dad::LuaValue::of("carol");
        s = script->call("on_login", event, outcome);
        CPPUNIT_ASSERT_MESSAGE(s.message(), contains(s.message(), "test.lua:5:"));
        event["user"] = dad::LuaValue::of("bob");
        CPPUNIT_ASSERT(script->call("on_login", event, outcome));
        CPPUNIT_ASSERT_EQUAL(std::string("example.com0"), outcome.reason);
    }
    void testLocalsOfTheChunkStartEachCallAsLoaded() {
        auto script = load(
            "local count, last = 0, 'none'\n"
            "local function bump() count = count + 1 return count end\n"
            "function on_login(e)\n"
            "  local before = last\n"
            "  last = e.user\n"
            "  return deny(bump() .. ' ' .. before)\n"
            "end\n");
        CPPUNIT_ASSERT_EQUAL(std::string("1 none"), reasonOf(*script));
        CPPUNIT_ASSERT_EQUAL(std::string("1 none"), reasonOf(*script));
    }
    void testReadOnlyTablesReadAsBefore() {
        auto script = load(
            "local list, map = {'a', 'b', 'c'}, {x = 1, y = 2}\n"
            "function on_login(e)\n"
            "  local keys = 0 for k, v in pairs(map) do keys = keys + v end\n"
            "  local items = 0 for i, v in ipairs(list) do items = items + i end\n"
            "  local copy = {table.unpack(list)}\n"
            "  table.sort(copy, function(a, b) return a > b end)\n"
            "  return deny(#list .. keys .. items .. table.concat(list) .. copy[1] ..\n"
            "              string.upper('ok') .. ('x'):rep(2) .. #string.format('%5d', 1))\n"
            "end\n");
        CPPUNIT_ASSERT_EQUAL(std::string("336abccOKxx5"), reasonOf(*script));
    }
    void testClassDefinedAtLoadServesAsMetatable() {
        auto script = load(
            "local Class = {}\n"
            "Class.__index = Class\n"
            "Class.__tostring = function(o) return 'n=' .. o.n end\n"
            "function Class.new(n) return setmetatable({n = n}, Class) end\n"
            "function Class:get() return self.n end\n"
            "local made = Class.new(7)\n"
            "function on_login(e)\n"
            "  local o = Class.new(5)\n"
            "  o.n = o.n + 1\n"
            "  return deny(o:get() .. made:get() .. tostring(o) ..\n"
            "              tostring(getmetatable(o) == Class))\n"
            "end\n");
        CPPUNIT_ASSERT_EQUAL(std::string("67n=6true"), reasonOf(*script));
    }
    void testRandomSeedDoesNotCarry() {
        auto script = load(
            "function on_login(e)\n"
            "  local draws = {alice = 2, carol = 3}\n"
            "  if draws[e.user] then math.randomseed(42) end\n"
            "  for i = 2, draws[e.user] or 1 do math.random(1, 1e9) end\n"
            "  return deny(tostring(math.random(1, 1e9)))\n"
            "end\n");
        auto reasonFor = [&](const char* user) {
            std::map<std::string, dad::LuaValue> event;
            event["user"] = dad::LuaValue::of(user);
            LuaOutcome outcome;
            CPPUNIT_ASSERT(script->call("on_login", event, outcome));
            return outcome.reason;
        };
        const std::string third = reasonFor("carol");  // the 3rd number of seed 42
        CPPUNIT_ASSERT_EQUAL(third, reasonFor("carol"));
        reasonFor("alice");  // draws two of seed 42
        // Had the generator carried into the next call, bob would draw the 3rd.
        CPPUNIT_ASSERT(third != reasonFor("bob"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LuaFreezeTest);
