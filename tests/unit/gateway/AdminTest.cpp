// The admin layer's rights, decided once for dadctl, the API and the console:
// who sees which package, what a token's scope allows, tokens stored hashed.
#include <cppunit/extensions/HelperMacros.h>

#include <filesystem>

#include "Admin.h"
#include "Secrets.h"
#include "Sha256.h"

using dad::AccountRecord;
using dad::Admin;
using dad::ApiTokenRecord;
using dad::Caller;
using dad::Gateway;
using dad::PackageRecord;
using dad::Scope;
using dad::Status;
using dad::StatusCode;

class AdminTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(AdminTest);
    CPPUNIT_TEST(testAnotherUsersPackageIsNotFoundAsAnUnknownOne);
    CPPUNIT_TEST(testAdminSeesItsSubUsersPackagesOnly);
    CPPUNIT_TEST(testReadScopeCannotWrite);
    CPPUNIT_TEST(testTokenIsStoredHashedAndRevocable);
    CPPUNIT_TEST(testAdminScopeOnlyForAdmins);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        char pattern[] = "/tmp/dad-admin-XXXXXX";
        CPPUNIT_ASSERT(::mkdtemp(pattern) != nullptr);
        dir_ = pattern;
        dad::GatewayOptions options;
        options.dataDir = dir_;
        options.siteId = "test";
        CPPUNIT_ASSERT(Gateway::open(options, gateway_).isOk());
        admin_ = std::make_unique<Admin>(*gateway_);
        account("boss", "admin", 0);
        account("sub", "user", id("boss"));
        account("alice", "user", 0);
        account("carol", "user", 0);
    }

    void tearDown() override {
        admin_.reset();
        gateway_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    void testAnotherUsersPackageIsNotFoundAsAnUnknownOne() {
        const std::string pid = draft("alice");
        PackageRecord p;
        CPPUNIT_ASSERT(admin_->findPackage(caller("alice"), pid, p).isOk());
        const Status other = admin_->findPackage(caller("carol"), pid, p);
        const Status unknown = admin_->findPackage(caller("carol"), "test-nothing", p);
        CPPUNIT_ASSERT(other.code() == StatusCode::NotFound);
        CPPUNIT_ASSERT_EQUAL(std::string("not_found"), std::string(dad::errorCode(unknown.code())));
        CPPUNIT_ASSERT_EQUAL(std::string("no package test-nothing"), unknown.message());
        CPPUNIT_ASSERT_EQUAL("no package " + pid, other.message());
        CPPUNIT_ASSERT(admin_->withdrawPackage(caller("carol"), pid).code() ==
                       StatusCode::NotFound);
        dad::AccountView view;
        CPPUNIT_ASSERT(admin_->showAccount(caller("carol"), "alice", view).code() ==
                       StatusCode::NotFound);
    }

    void testAdminSeesItsSubUsersPackagesOnly() {
        const std::string mine = draft("sub");
        const std::string theirs = draft("alice");
        PackageRecord p;
        CPPUNIT_ASSERT(admin_->findPackage(caller("boss", Scope::Admin), mine, p).isOk());
        CPPUNIT_ASSERT(admin_->findPackage(caller("boss", Scope::Admin), theirs, p).code() ==
                       StatusCode::NotFound);
        dad::PackagePage page;
        CPPUNIT_ASSERT(admin_->listPackages(caller("boss", Scope::Admin), {}, "", page).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t(1), page.packages.size());
        CPPUNIT_ASSERT_EQUAL(mine, page.packages[0].pid);
    }

    void testReadScopeCannotWrite() {
        dad::AddressEntry entry;
        entry.name = "Dora";
        entry.email = "dora@example.com";
        CPPUNIT_ASSERT(admin_->createAddressEntry(caller("alice", Scope::Read), entry).code() ==
                       StatusCode::PermissionDenied);
        CPPUNIT_ASSERT(admin_->createAddressEntry(caller("alice"), entry).isOk());
        std::vector<dad::JobRecord> jobs;
        CPPUNIT_ASSERT(admin_->listJobs(caller("boss", Scope::Write), "", jobs).code() ==
                       StatusCode::PermissionDenied);
        CPPUNIT_ASSERT(admin_->listJobs(caller("boss", Scope::Admin), "", jobs).isOk());
    }

    void testTokenIsStoredHashedAndRevocable() {
        ApiTokenRecord record;
        std::string token;
        CPPUNIT_ASSERT(
            admin_->createToken(caller("alice"), "", "ci", Scope::Read, std::nullopt, record, token)
                .isOk());
        CPPUNIT_ASSERT(token.rfind(Admin::kTokenPrefix, 0) == 0);
        CPPUNIT_ASSERT(token.size() >= 4 + 43);
        auto row = gateway_->catalog().db().read([&](dad::SqlRunner& sql) {
            auto r = sql.queryOne("SELECT token_hash FROM api_token WHERE id = ?", {record.id});
            CPPUNIT_ASSERT_EQUAL(dad::Sha256::hex(token), r->text(0));
            return Status::ok();
        });
        CPPUNIT_ASSERT(row.isOk());
        Caller c;
        CPPUNIT_ASSERT(admin_->authenticateToken(token, {}, c).isOk());
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), c.name);
        CPPUNIT_ASSERT(c.scope == Scope::Read);
        CPPUNIT_ASSERT(admin_->revokeToken(caller("carol"), "alice", "ci", record).code() ==
                       StatusCode::NotFound);
        CPPUNIT_ASSERT(admin_->revokeToken(caller("alice"), "", "ci", record).isOk());
        CPPUNIT_ASSERT(!admin_->authenticateToken(token, {}, c));
    }

    void testAdminScopeOnlyForAdmins() {
        ApiTokenRecord record;
        std::string token;
        CPPUNIT_ASSERT(admin_
                           ->createToken(Caller::operatorCaller(), "alice", "x", Scope::Admin,
                                         std::nullopt, record, token)
                           .code() == StatusCode::InvalidArgument);
        Caller c;
        CPPUNIT_ASSERT(admin_->callerFor("alice", Scope::Admin, {}, c).code() ==
                       StatusCode::PermissionDenied);
    }

private:
    void account(const std::string& name, const std::string& type, int64_t parent) {
        AccountRecord a;
        a.name = name;
        a.type = type;
        if (parent) a.parentId = parent;
        a.passwordHash = "x";
        CPPUNIT_ASSERT(gateway_->catalog().createAccount(a).isOk());
    }

    int64_t id(const std::string& name) {
        AccountRecord a;
        CPPUNIT_ASSERT(gateway_->catalog().findAccount(name, a).isOk());
        return a.id;
    }

    Caller caller(const std::string& name, Scope scope = Scope::Write) {
        Caller c;
        CPPUNIT_ASSERT(admin_->callerFor(name, scope, {}, c).isOk());
        return c;
    }

    std::string draft(const std::string& sender) {
        PackageRecord p;
        p.pid = gateway_->newPid();
        p.token = dad::randomToken(24);
        p.senderId = id(sender);
        p.name = "d-" + p.pid;
        CPPUNIT_ASSERT(gateway_->catalog().createPackage(p).isOk());
        return p.pid;
    }

    std::string dir_;
    std::unique_ptr<Gateway> gateway_;
    std::unique_ptr<Admin> admin_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(AdminTest);
