// The download limit in bytes (Catalog::chargeDownload, finishDownload).
#include <cppunit/extensions/HelperMacros.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "Catalog.h"
#include "Sha256.h"

using namespace dad;

class CatalogDownloadsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CatalogDownloadsTest);
    CPPUNIT_TEST(testReadsShortOfTheEndAddUpToOneDownload);
    CPPUNIT_TEST(testHonestResumeCostsOnlyTheRest);
    CPPUNIT_TEST(testAllowanceOnlyForARecipientAlreadyServed);
    CPPUNIT_TEST(testWhatWasNotServedIsGivenBack);
    CPPUNIT_TEST(testConcurrentChargesNeverPassTheLimit);
    CPPUNIT_TEST(testWithdrawnPackageStopsARunningDownload);
    CPPUNIT_TEST_SUITE_END();

    static constexpr uint64_t kSize = 8 << 20;
    static constexpr uint64_t kAllowance = std::min(Catalog::kRestartAllowanceBytes, kSize / 4);

    std::string dir_;
    std::unique_ptr<Catalog> catalog_;
    PackageRecord package_;
    NodeRecord file_;
    AccountRecord bob_, carol_;

    AccountRecord account(const std::string& name) {
        AccountRecord a;
        a.name = name;
        CPPUNIT_ASSERT(catalog_->createAccount(a));
        return a;
    }

    DownloadRecord start(const AccountRecord& who) {
        DownloadRecord d;
        d.packageId = package_.id;
        d.nodeId = file_.id;
        d.path = "/inbox/x/file.bin";
        d.accountId = who.id;
        d.protocol = "sftp";
        const Status s = catalog_->startDownload(d);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        return d;
    }

    uint64_t charge(const DownloadRecord& d, uint64_t offset, uint64_t wanted) {
        uint64_t granted = 0;
        (void)catalog_->chargeDownload(d.id, offset, wanted, granted);
        return granted;
    }

    bool finish(const DownloadRecord& d, uint64_t bytes) {
        bool complete = false;
        CPPUNIT_ASSERT(catalog_->finishDownload(d.id, bytes, kSize, complete));
        return complete;
    }

public:
    void setUp() override {
        char pattern[] = "/tmp/dad-downloads-XXXXXX";
        CPPUNIT_ASSERT(::mkdtemp(pattern) != nullptr);
        dir_ = pattern;
        CPPUNIT_ASSERT(Catalog::openSqlite(dir_ + "/catalog.db", catalog_));
        const AccountRecord alice = account("alice");
        bob_ = account("bob");
        carol_ = account("carol");
        package_.pid = "test-1";
        package_.token = "token-test-1";
        package_.senderId = alice.id;
        package_.name = "p";
        CPPUNIT_ASSERT(catalog_->createPackage(package_));
        CPPUNIT_ASSERT(catalog_->linkFile(package_.rootNode, "file.bin", alice.id,
                                          Sha256::hex("file"), kSize, 0, false));
        std::optional<NodeRecord> node;
        CPPUNIT_ASSERT(catalog_->findChild(package_.rootNode, "file.bin", node) && node);
        file_ = *node;
        package_.maxDownloads = 1;
        CPPUNIT_ASSERT(catalog_->updatePackageSettings(package_));
        RecipientRecord r;
        r.address = "bob";
        r.accountId = bob_.id;
        CPPUNIT_ASSERT(catalog_->setRecipients(package_.id, {r}));
        CPPUNIT_ASSERT(catalog_->sendPackage(package_.id, "p"));
    }

    void tearDown() override {
        catalog_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    void testReadsShortOfTheEndAddUpToOneDownload() {
        DownloadRecord first = start(bob_);
        CPPUNIT_ASSERT_EQUAL(kSize - 1, charge(first, 0, kSize - 1));
        CPPUNIT_ASSERT(!finish(first, kSize - 1));
        // Again from zero: only the allowance is left, not a second copy.
        DownloadRecord second = start(bob_);
        CPPUNIT_ASSERT_EQUAL(1 + kAllowance, charge(second, 0, kSize - 1));
        CPPUNIT_ASSERT(finish(second, 1 + kAllowance));
        DownloadRecord third;
        third.packageId = package_.id;
        third.nodeId = file_.id;
        third.accountId = bob_.id;
        CPPUNIT_ASSERT(catalog_->startDownload(third).code() == StatusCode::PermissionDenied);
    }

    void testHonestResumeCostsOnlyTheRest() {
        DownloadRecord cut = start(bob_);
        CPPUNIT_ASSERT_EQUAL(uint64_t{400000}, charge(cut, 0, 400000));
        CPPUNIT_ASSERT(!finish(cut, 400000));
        DownloadRecord rest = start(bob_);
        CPPUNIT_ASSERT_EQUAL(kSize - 400000, charge(rest, 400000, kSize - 400000));
        CPPUNIT_ASSERT(finish(rest, kSize - 400000));
        std::vector<DownloadRecord> downloads;
        CPPUNIT_ASSERT(catalog_->listDownloads(package_.id, downloads));
        CPPUNIT_ASSERT_EQUAL(uint64_t{400000}, downloads[1].startOffset);
        CPPUNIT_ASSERT(!downloads[0].complete && downloads[1].complete);
    }

    void testAllowanceOnlyForARecipientAlreadyServed() {
        DownloadRecord bob = start(bob_);
        CPPUNIT_ASSERT_EQUAL(kSize - 10, charge(bob, 0, kSize - 10));
        CPPUNIT_ASSERT(!finish(bob, kSize - 10));
        DownloadRecord carol = start(carol_);
        CPPUNIT_ASSERT_EQUAL(uint64_t{10}, charge(carol, 0, kSize));
        CPPUNIT_ASSERT_EQUAL(uint64_t{0}, charge(carol, 10, kSize));
    }

    void testWhatWasNotServedIsGivenBack() {
        DownloadRecord greedy = start(bob_);
        DownloadRecord waiting = start(carol_);
        CPPUNIT_ASSERT_EQUAL(kSize, charge(greedy, 0, kSize));
        CPPUNIT_ASSERT_EQUAL(uint64_t{0}, charge(waiting, 0, 100));
        CPPUNIT_ASSERT(!finish(greedy, 1000));  // cut after 1000 bytes
        CPPUNIT_ASSERT_EQUAL(kSize - 1000, charge(waiting, 0, kSize));
    }

    void testConcurrentChargesNeverPassTheLimit() {
        std::atomic<uint64_t> total{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 8; ++i) {
            threads.emplace_back([&, i] {
                DownloadRecord d = start(i % 2 ? bob_ : carol_);
                for (int k = 0; k < 40; ++k)
                    total += charge(d, 0, 100000);
            });
        }
        for (auto& t : threads)
            t.join();
        CPPUNIT_ASSERT(total.load() <= kSize + kAllowance);
        CPPUNIT_ASSERT(total.load() >= kSize);
    }

    void testWithdrawnPackageStopsARunningDownload() {
        DownloadRecord d = start(bob_);
        CPPUNIT_ASSERT_EQUAL(uint64_t{100}, charge(d, 0, 100));
        CPPUNIT_ASSERT(catalog_->endPackage(package_.id, "withdrawn"));
        uint64_t granted = 1;
        CPPUNIT_ASSERT(catalog_->chargeDownload(d.id, 100, 100, granted).code() ==
                       StatusCode::PermissionDenied);
        CPPUNIT_ASSERT_EQUAL(uint64_t{0}, granted);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CatalogDownloadsTest);
