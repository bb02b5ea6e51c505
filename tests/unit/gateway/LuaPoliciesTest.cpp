// A policy script that keeps failing is taken out of service; the others run on.
#include <cppunit/extensions/HelperMacros.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "LuaPolicies.h"

using dad::Decision;
using dad::LuaPolicies;
using dad::Verdict;

class LuaPoliciesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LuaPoliciesTest);
    CPPUNIT_TEST(testFailingScriptIsDisabledAndOthersRunOn);
    CPPUNIT_TEST(testDisabledScriptDeniesWhenOnErrorIsDeny);
    CPPUNIT_TEST(testNoLimitNeverDisables);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;
    std::vector<std::string> reports_;
    std::vector<std::vector<LuaPolicies::ScriptState>> states_;

    void write(const std::string& name, const std::string& source) {
        std::ofstream(dir_ + "/" + name) << source;
    }

    std::unique_ptr<LuaPolicies> policies(bool denyOnError, int maxFailures) {
        auto p = std::make_unique<LuaPolicies>(
            dir_, denyOnError, dad::LuaLimits(),
            [this](const std::string& line) { reports_.push_back(line); });
        p->setFailureLimit(maxFailures, 3600);
        p->setStateListener([this](const auto& states) { states_.push_back(states); });
        CPPUNIT_ASSERT(p->reload());
        return p;
    }

    static Decision login(LuaPolicies& p, const std::string& user) {
        dad::PolicyEvent event;
        event.hook = dad::Hook::Login;
        event.user = user;
        return p.decide(event);
    }

public:
    void setUp() override {
        char pattern[] = "/tmp/dad-luapolicies-XXXXXX";
        dir_ = mkdtemp(pattern);
        write("10-broken.lua", "function on_login(e) while true do end end");
        write("20-rule.lua",
              "function on_login(e) if e.user == 'mallory' then return deny('not you') end end");
    }
    void tearDown() override { std::filesystem::remove_all(dir_); }

    void testFailingScriptIsDisabledAndOthersRunOn() {
        auto p = policies(false, 3);
        for (int i = 0; i < 3; ++i) {
            CPPUNIT_ASSERT(login(*p, "alice").verdict == Verdict::NoOpinion);
        }
        CPPUNIT_ASSERT_EQUAL(size_t(4), reports_.size());  // three errors, then the disabling
        CPPUNIT_ASSERT_MESSAGE(reports_[3],
                               reports_[3].rfind("10-broken.lua disabled until the policy is "
                                                 "reloaded (3 failures within 3600 s; the last: "
                                                 "10-broken.lua:1:",
                                                 0) == 0);
        CPPUNIT_ASSERT(p->states().at(0).disabled);
        CPPUNIT_ASSERT(!p->states().at(1).disabled);
        CPPUNIT_ASSERT(states_.back().at(0).disabled);
        // Not run again: no new report, and the other script still decides.
        const Decision d = login(*p, "mallory");
        CPPUNIT_ASSERT(d.verdict == Verdict::Deny);
        CPPUNIT_ASSERT_EQUAL(std::string("not you"), d.reason);
        CPPUNIT_ASSERT_EQUAL(size_t(4), reports_.size());
        // A reload puts it back in service.
        CPPUNIT_ASSERT(p->reload());
        CPPUNIT_ASSERT(!p->states().at(0).disabled);
        login(*p, "alice");
        CPPUNIT_ASSERT_EQUAL(size_t(5), reports_.size());
    }
    void testDisabledScriptDeniesWhenOnErrorIsDeny() {
        auto p = policies(true, 2);
        for (int i = 0; i < 2; ++i)
            login(*p, "alice");
        const Decision d = login(*p, "alice");
        CPPUNIT_ASSERT(d.verdict == Verdict::Deny);
        CPPUNIT_ASSERT_EQUAL(std::string("refused: the site's policy failed (10-broken.lua, "
                                         "disabled)"),
                             d.reason);
    }
    void testNoLimitNeverDisables() {
        auto p = policies(false, 0);
        for (int i = 0; i < 6; ++i)
            login(*p, "alice");
        CPPUNIT_ASSERT(!p->states().at(0).disabled);
        CPPUNIT_ASSERT_EQUAL(size_t(6), reports_.size());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LuaPoliciesTest);
