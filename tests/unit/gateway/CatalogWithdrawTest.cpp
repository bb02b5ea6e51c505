// Withdrawing a sent package and removing one from an inbox
// (Catalog::withdrawPackage, hideFromInbox).
#include <cppunit/extensions/HelperMacros.h>
#include <unistd.h>

#include <filesystem>

#include "Catalog.h"
#include "Sha256.h"

using namespace dad;

class CatalogWithdrawTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CatalogWithdrawTest);
    CPPUNIT_TEST(testWithdrawEndsThePackageAndKeepsItsTracking);
    CPPUNIT_TEST(testWithdrawCancelsWhatWasQueuedForIt);
    CPPUNIT_TEST(testWithdrawQueuesTheWithdrawalOfForwardsMade);
    CPPUNIT_TEST(testOnlyASentPackageIsWithdrawn);
    CPPUNIT_TEST(testRemovedFromOneInboxOnly);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;
    std::unique_ptr<Catalog> catalog_;
    PackageRecord package_;
    AccountRecord alice_, bob_, carol_;

    AccountRecord account(const std::string& name) {
        AccountRecord a;
        a.name = name;
        CPPUNIT_ASSERT(catalog_->createAccount(a));
        return a;
    }

    Status withdraw() {
        return catalog_->withdrawPackage(
            package_.id, "alice", {"\"pid\":\"test-1\"", "\"package\":\"test-1\""}, "withdrawal",
            [](const std::string& site) {
                return "{\"package\":\"test-1\",\"site\":\"" + site + "\"}";
            });
    }

    std::vector<JobRecord> jobs(const std::string& state) {
        std::vector<JobRecord> out;
        CPPUNIT_ASSERT(catalog_->listJobs(state, out));
        return out;
    }

    std::string inboxNames(const AccountRecord& who) {
        std::vector<std::pair<std::string, PackageRecord>> packages;
        CPPUNIT_ASSERT(catalog_->listInbox(who.id, packages));
        std::string names;
        for (const auto& [name, p] : packages)
            names += name + ";";
        return names;
    }

public:
    void setUp() override {
        char pattern[] = "/tmp/dad-withdraw-XXXXXX";
        CPPUNIT_ASSERT(::mkdtemp(pattern) != nullptr);
        dir_ = pattern;
        CPPUNIT_ASSERT(Catalog::openSqlite(dir_ + "/catalog.db", catalog_));
        alice_ = account("alice");
        bob_ = account("bob");
        carol_ = account("carol");
        package_.pid = "test-1";
        package_.token = "token-test-1";
        package_.senderId = alice_.id;
        package_.name = "p";
        CPPUNIT_ASSERT(catalog_->createPackage(package_));
        CPPUNIT_ASSERT(catalog_->linkFile(package_.rootNode, "file.txt", alice_.id,
                                          Sha256::hex("file"), 4, 0, false));
        std::vector<RecipientRecord> recipients(2);
        recipients[0].address = "bob";
        recipients[0].accountId = bob_.id;
        recipients[1].address = "carol";
        recipients[1].accountId = carol_.id;
        CPPUNIT_ASSERT(catalog_->setRecipients(package_.id, recipients));
        CPPUNIT_ASSERT(catalog_->sendPackage(package_.id, "p"));
    }

    void tearDown() override {
        catalog_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    void testWithdrawEndsThePackageAndKeepsItsTracking() {
        CPPUNIT_ASSERT(!inboxNames(bob_).empty());
        CPPUNIT_ASSERT(withdraw());
        PackageRecord p;
        CPPUNIT_ASSERT(catalog_->findPackage(package_.id, p));
        CPPUNIT_ASSERT_EQUAL(std::string("withdrawn"), p.state);
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), p.withdrawnBy);
        CPPUNIT_ASSERT(p.withdrawnAt.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string(), inboxNames(bob_));
        CPPUNIT_ASSERT_EQUAL(std::string(), inboxNames(carol_));
        std::vector<std::pair<std::string, NodeRecord>> files;
        CPPUNIT_ASSERT(catalog_->listFilesUnder(package_.rootNode, files));
        CPPUNIT_ASSERT(files.empty());  // the blob is released
        CPPUNIT_ASSERT(catalog_->listFileHistory(package_.id, files));
        CPPUNIT_ASSERT_EQUAL(size_t{1}, files.size());
        CPPUNIT_ASSERT_EQUAL(std::string("file.txt"), files[0].first);
    }

    void testWithdrawCancelsWhatWasQueuedForIt() {
        CPPUNIT_ASSERT(catalog_->enqueueJob("notify",
                                            "{\"event\":\"package_received\","
                                            "\"pid\":\"test-1\",\"to\":\"x@example\"}"));
        CPPUNIT_ASSERT(catalog_->enqueueJob("notify",
                                            "{\"event\":\"package_received\","
                                            "\"pid\":\"test-10\",\"to\":\"x@example\"}"));
        bool queued = false;
        CPPUNIT_ASSERT(catalog_->queueForward(package_.id, "far",
                                              "{\"package\":\"test-1\",\"site\":\"far\"}", queued));
        CPPUNIT_ASSERT(queued);
        CPPUNIT_ASSERT(withdraw());
        const std::vector<JobRecord> cancelled = jobs("cancelled");
        CPPUNIT_ASSERT_EQUAL(size_t{2}, cancelled.size());
        const std::vector<JobRecord> left = jobs("queued");
        CPPUNIT_ASSERT_EQUAL(size_t{1}, left.size());  // another package's (test-10)
        CPPUNIT_ASSERT(left[0].payload.find("test-10") != std::string::npos);
        std::vector<ForwardRecord> forwards;
        CPPUNIT_ASSERT(catalog_->listForwards(package_.id, forwards));
        CPPUNIT_ASSERT_EQUAL(std::string("failed"), forwards.at(0).state);
        CPPUNIT_ASSERT_EQUAL(std::string(), forwards.at(0).withdrawal);  // nothing went there
    }

    void testWithdrawQueuesTheWithdrawalOfForwardsMade() {
        CPPUNIT_ASSERT(catalog_->updateForward(package_.id, "peer1", "done", 4, 4, "", true));
        CPPUNIT_ASSERT(withdraw());
        const std::vector<JobRecord> queued = jobs("queued");
        CPPUNIT_ASSERT_EQUAL(size_t{1}, queued.size());
        CPPUNIT_ASSERT_EQUAL(std::string("withdrawal"), queued[0].kind);
        CPPUNIT_ASSERT_EQUAL(std::string("{\"package\":\"test-1\",\"site\":\"peer1\"}"),
                             queued[0].payload);
        std::vector<ForwardRecord> forwards;
        CPPUNIT_ASSERT(catalog_->listForwards(package_.id, forwards));
        CPPUNIT_ASSERT_EQUAL(std::string("done"), forwards.at(0).state);
        CPPUNIT_ASSERT_EQUAL(std::string("queued"), forwards.at(0).withdrawal);
        CPPUNIT_ASSERT(catalog_->updateWithdrawal(package_.id, "peer1", "failed", "no answer"));
        CPPUNIT_ASSERT(catalog_->listForwards(package_.id, forwards));
        CPPUNIT_ASSERT_EQUAL(std::string("failed"), forwards.at(0).withdrawal);
        CPPUNIT_ASSERT_EQUAL(std::string("no answer"), forwards.at(0).withdrawalError);
    }

    void testOnlyASentPackageIsWithdrawn() {
        CPPUNIT_ASSERT(withdraw());
        const Status again = withdraw();
        CPPUNIT_ASSERT(again.code() == StatusCode::InvalidArgument);
        PackageRecord p;
        CPPUNIT_ASSERT(catalog_->findPackage(package_.id, p));
        CPPUNIT_ASSERT_EQUAL(std::string("withdrawn"), p.state);
    }

    void testRemovedFromOneInboxOnly() {
        const std::string name = inboxNames(bob_);
        CPPUNIT_ASSERT(!name.empty());
        CPPUNIT_ASSERT(catalog_->hideFromInbox(package_.id, bob_.id));
        CPPUNIT_ASSERT_EQUAL(std::string(), inboxNames(bob_));
        CPPUNIT_ASSERT_EQUAL(name, inboxNames(carol_));
        std::optional<PackageRecord> found;
        CPPUNIT_ASSERT(catalog_->findInbox(bob_.id, name.substr(0, name.size() - 1), found));
        CPPUNIT_ASSERT(!found.has_value());
        CPPUNIT_ASSERT(catalog_->findInbox(carol_.id, name.substr(0, name.size() - 1), found));
        CPPUNIT_ASSERT(found.has_value());
        CPPUNIT_ASSERT(catalog_->hideFromInbox(package_.id, bob_.id).code() ==
                       StatusCode::NotFound);
        std::vector<RecipientRecord> recipients;
        CPPUNIT_ASSERT(catalog_->listRecipients(package_.id, recipients));
        CPPUNIT_ASSERT(recipients.at(0).hiddenAt.has_value());
        CPPUNIT_ASSERT(!recipients.at(1).hiddenAt.has_value());
        PackageRecord p;
        CPPUNIT_ASSERT(catalog_->findPackage(package_.id, p));
        CPPUNIT_ASSERT_EQUAL(std::string("sent"), p.state);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CatalogWithdrawTest);
