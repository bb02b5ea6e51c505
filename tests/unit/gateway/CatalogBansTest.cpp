// Catalog login bans: found by address or account while in force, the
// longest first, listed, removed; an expired ban is gone.
#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <filesystem>

#include "Catalog.h"

using dad::Catalog;
using dad::LoginBan;
using dad::Status;
using dad::StatusCode;

class CatalogBansTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CatalogBansTest);
    CPPUNIT_TEST(testFoundByAddressOrAccountWhileInForce);
    CPPUNIT_TEST(testLongestBanAnswersAndReplacing);
    CPPUNIT_TEST(testListedAndRemoved);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;
    std::unique_ptr<Catalog> catalog_;

    void ban(const std::string& kind, const std::string& subject, int64_t secondsLeft,
             const std::string& reason = "why") {
        LoginBan b;
        b.kind = kind;
        b.subject = subject;
        b.until = dad::nowSeconds() + secondsLeft;
        b.reason = reason;
        const Status s = catalog_->addLoginBan(b);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
    }

public:
    void setUp() override {
        char pattern[] = "/tmp/dad-bans-XXXXXX";
        CPPUNIT_ASSERT(::mkdtemp(pattern) != nullptr);
        dir_ = pattern;
        const Status s = Catalog::openSqlite(dir_ + "/catalog.db", catalog_);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
    }

    void tearDown() override {
        catalog_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    void testFoundByAddressOrAccountWhileInForce() {
        ban("address", "192.0.2.1", 600, "ten failures");
        ban("account", "alice", 600);
        ban("address", "192.0.2.2", -1);  // already over
        LoginBan found;
        CPPUNIT_ASSERT(catalog_->findLoginBan("192.0.2.1", "bob", found));
        CPPUNIT_ASSERT_EQUAL(std::string("address"), found.kind);
        CPPUNIT_ASSERT_EQUAL(std::string("ten failures"), found.reason);
        CPPUNIT_ASSERT(catalog_->findLoginBan("192.0.2.9", "alice", found));
        CPPUNIT_ASSERT_EQUAL(std::string("account"), found.kind);
        CPPUNIT_ASSERT(catalog_->findLoginBan("192.0.2.2", "bob", found).code() ==
                       StatusCode::NotFound);
        // An address is never taken for an account of the same text, nor the other way.
        CPPUNIT_ASSERT(!catalog_->findLoginBan("alice", "192.0.2.1", found));
    }

    void testLongestBanAnswersAndReplacing() {
        ban("address", "192.0.2.1", 100);
        ban("account", "alice", 500);
        LoginBan found;
        CPPUNIT_ASSERT(catalog_->findLoginBan("192.0.2.1", "alice", found));
        CPPUNIT_ASSERT_EQUAL(std::string("account"), found.kind);
        ban("address", "192.0.2.1", 900, "again");  // replaces, not a second row
        std::vector<LoginBan> bans;
        CPPUNIT_ASSERT(catalog_->listLoginBans(bans));
        CPPUNIT_ASSERT_EQUAL(size_t(2), bans.size());
        CPPUNIT_ASSERT(catalog_->findLoginBan("192.0.2.1", "alice", found));
        CPPUNIT_ASSERT_EQUAL(std::string("again"), found.reason);
    }

    void testListedAndRemoved() {
        ban("account", "alice", 600);
        ban("address", "192.0.2.1", 600);
        ban("address", "192.0.2.3", -5);
        std::vector<LoginBan> bans;
        CPPUNIT_ASSERT(catalog_->listLoginBans(bans));
        CPPUNIT_ASSERT_EQUAL(size_t(2), bans.size());
        CPPUNIT_ASSERT_EQUAL(std::string("address"), bans[0].kind);  // addresses first
        CPPUNIT_ASSERT(catalog_->removeLoginBan("address", "192.0.2.1"));
        CPPUNIT_ASSERT(catalog_->removeLoginBan("address", "192.0.2.1").code() ==
                       StatusCode::NotFound);
        CPPUNIT_ASSERT(catalog_->removeLoginBan("address", "192.0.2.3").code() ==
                       StatusCode::NotFound);
        CPPUNIT_ASSERT(catalog_->removeLoginBan("address", "alice").code() == StatusCode::NotFound);
        LoginBan found;
        CPPUNIT_ASSERT(!catalog_->findLoginBan("192.0.2.1", "bob", found));
        CPPUNIT_ASSERT(catalog_->findLoginBan("192.0.2.1", "alice", found));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CatalogBansTest);
