#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <filesystem>

#include "Catalog.h"

using dad::AccountRecord;
using dad::Catalog;
using dad::GroupRecord;
using dad::Status;
using dad::StatusCode;

class CatalogGroupsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CatalogGroupsTest);
    CPPUNIT_TEST(testNestedGroupsExpandInOrderEachAddressOnce);
    CPPUNIT_TEST(testPersonalGroupShadowsSiteGroupForItsOwnerOnly);
    CPPUNIT_TEST(testSiteGroupNamesOnlySiteGroups);
    CPPUNIT_TEST(testBadNamesAndMembersRefused);
    CPPUNIT_TEST(testCycleRefusedAndNothingChanged);
    CPPUNIT_TEST(testDepthBounded);
    CPPUNIT_TEST(testRemovingANamedGroupRefused);
    CPPUNIT_TEST(testMembersAddRemoveAndUnknownMember);
    CPPUNIT_TEST(testRemovingAnAccountRemovesItsGroups);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;
    std::unique_ptr<Catalog> catalog_;

    int64_t account(const std::string& name) {
        AccountRecord a;
        a.name = name;
        const Status s = catalog_->createAccount(a);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        return a.id;
    }

    Status create(const std::string& name, std::vector<std::string> members,
                  std::optional<int64_t> owner = std::nullopt) {
        GroupRecord g;
        g.name = name;
        g.ownerId = owner;
        g.members = std::move(members);
        return catalog_->createGroup(g);
    }

    void mustCreate(const std::string& name, std::vector<std::string> members,
                    std::optional<int64_t> owner = std::nullopt) {
        const Status s = create(name, std::move(members), owner);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
    }

    int64_t id(const std::string& name) {
        AccountRecord a;
        CPPUNIT_ASSERT(catalog_->findAccount(name, a));
        return a.id;
    }

    std::string expanded(const std::string& name, std::optional<int64_t> viewer = std::nullopt) {
        std::vector<std::string> addresses;
        const Status s = catalog_->expandGroup(name, viewer, addresses);
        if (!s) return "error: " + s.message();
        std::string text;
        for (const std::string& a : addresses)
            text += (text.empty() ? "" : " ") + a;
        return text;
    }

public:
    void setUp() override {
        char pattern[] = "/tmp/dad-groups-XXXXXX";
        CPPUNIT_ASSERT(::mkdtemp(pattern) != nullptr);
        dir_ = pattern;
        const Status s = Catalog::openSqlite(dir_ + "/catalog.db", catalog_);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        for (const char* name : {"alice", "bob", "carol", "dave"})
            account(name);
    }

    void tearDown() override {
        catalog_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    void testNestedGroupsExpandInOrderEachAddressOnce() {
        mustCreate("staff", {"carol", "dave"});
        mustCreate("team", {"bob", "@staff", "x@example.org", "carol"});
        CPPUNIT_ASSERT_EQUAL(std::string("bob carol dave x@example.org"), expanded("team"));
        CPPUNIT_ASSERT_EQUAL(std::string("error: unknown address-book group @nosuch"),
                             expanded("nosuch"));
    }

    void testPersonalGroupShadowsSiteGroupForItsOwnerOnly() {
        const int64_t alice = id("alice");
        mustCreate("staff", {"carol"});
        mustCreate("team", {"bob"});
        mustCreate("team", {"dave", "@staff"}, alice);
        CPPUNIT_ASSERT_EQUAL(std::string("dave carol"), expanded("team", alice));
        CPPUNIT_ASSERT_EQUAL(std::string("bob"), expanded("team", id("bob")));
        CPPUNIT_ASSERT_EQUAL(std::string("bob"), expanded("team"));
        // The owner's own group of the same name as a member is itself: a cycle.
        const Status s = catalog_->addGroupMembers("team", alice, {"@team"});
        CPPUNIT_ASSERT_EQUAL(std::string("address-book groups form a cycle: @team -> @team"),
                             s.message());
    }

    void testSiteGroupNamesOnlySiteGroups() {
        mustCreate("mine", {"bob"}, id("alice"));
        const Status s = create("site", {"@mine"});
        CPPUNIT_ASSERT(s.code() == StatusCode::NotFound);
        CPPUNIT_ASSERT_EQUAL(
            std::string(
                "unknown address-book group @mine (a site group may only name site groups)"),
            s.message());
        GroupRecord g;
        CPPUNIT_ASSERT(catalog_->findGroup("site", std::nullopt, g).code() == StatusCode::NotFound);
    }

    void testBadNamesAndMembersRefused() {
        for (const char* bad : {"", "-x", "a b", "a@b", "@team"}) {
            const Status s = create(bad, {});
            CPPUNIT_ASSERT_MESSAGE(bad, s.code() == StatusCode::InvalidArgument);
            CPPUNIT_ASSERT(s.message().find("is not a group name") != std::string::npos);
        }
        CPPUNIT_ASSERT(!create(std::string(65, 'a'), {}));
        const Status s = create("g", {"bob", "nobody"});
        CPPUNIT_ASSERT_EQUAL(
            std::string("'nobody' is not an account, an e-mail address or a group (@name)"),
            s.message());
        CPPUNIT_ASSERT(!create("g", {"bob@"}));
        CPPUNIT_ASSERT(!create("g", {"a,b@example.org"}));
        mustCreate("g", {"bob"});
        CPPUNIT_ASSERT(create("g", {}).code() == StatusCode::Exists);
        mustCreate("g", {}, id("alice"));  // a personal group of the same name is another group
    }

    void testCycleRefusedAndNothingChanged() {
        mustCreate("a", {"bob"});
        mustCreate("b", {"@a"});
        const Status s = catalog_->addGroupMembers("a", std::nullopt, {"carol", "@b"});
        CPPUNIT_ASSERT_EQUAL(std::string("address-book groups form a cycle: @a -> @b -> @a"),
                             s.message());
        CPPUNIT_ASSERT_EQUAL(std::string("bob"), expanded("a"));
    }

    void testDepthBounded() {
        mustCreate("g0", {"bob"});
        for (int i = 1; i < Catalog::kMaxGroupDepth; ++i)
            mustCreate("g" + std::to_string(i), {"@g" + std::to_string(i - 1)});
        CPPUNIT_ASSERT_EQUAL(std::string("bob"), expanded("g7"));
        const Status s = create("g8", {"@g7"});
        CPPUNIT_ASSERT(s.code() == StatusCode::InvalidArgument);
        CPPUNIT_ASSERT_MESSAGE(
            s.message(), s.message().find("nested deeper than 8: @g8 -> @g7") != std::string::npos);
    }

    void testRemovingANamedGroupRefused() {
        mustCreate("staff", {"carol"});
        mustCreate("team", {"@staff"});
        const Status s = catalog_->removeGroup("staff", std::nullopt);
        CPPUNIT_ASSERT(s.code() == StatusCode::NotEmpty);
        CPPUNIT_ASSERT_EQUAL(std::string("site group @staff is a member of site group @team: "
                                         "remove it from there first"),
                             s.message());
        CPPUNIT_ASSERT(catalog_->removeGroup("team", std::nullopt));
        CPPUNIT_ASSERT(catalog_->removeGroup("staff", std::nullopt));
        CPPUNIT_ASSERT(catalog_->removeGroup("staff", std::nullopt).code() == StatusCode::NotFound);
    }

    void testMembersAddRemoveAndUnknownMember() {
        mustCreate("team", {"bob"});
        CPPUNIT_ASSERT(catalog_->addGroupMembers("team", std::nullopt, {"carol", "bob"}));
        CPPUNIT_ASSERT_EQUAL(std::string("bob carol"), expanded("team"));
        const Status s = catalog_->removeGroupMembers("team", std::nullopt, {"bob", "dave"});
        CPPUNIT_ASSERT_EQUAL(std::string("'dave' is not a member of site group @team"),
                             s.message());
        CPPUNIT_ASSERT_EQUAL(std::string("bob carol"), expanded("team"));
        CPPUNIT_ASSERT(catalog_->removeGroupMembers("team", std::nullopt, {"bob"}));
        std::vector<GroupRecord> groups;
        CPPUNIT_ASSERT(catalog_->listGroups(std::nullopt, groups));
        CPPUNIT_ASSERT_EQUAL(size_t(1), groups.size());
        CPPUNIT_ASSERT_EQUAL(size_t(1), groups[0].members.size());
        CPPUNIT_ASSERT_EQUAL(std::string("carol"), groups[0].members[0]);
    }

    void testRemovingAnAccountRemovesItsGroups() {
        const int64_t erin = account("erin");
        mustCreate("friends", {"bob"}, erin);
        CPPUNIT_ASSERT(catalog_->removeAccount("erin"));
        const int64_t again = account("erin");
        std::vector<GroupRecord> groups;
        CPPUNIT_ASSERT(catalog_->listGroups(again, groups));
        CPPUNIT_ASSERT(groups.empty());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CatalogGroupsTest);
