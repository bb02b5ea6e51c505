#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "BlobStore.h"
#include "Catalog.h"
#include "FaultyFileSystem.h"
#include "Sha256.h"

using dad::BlobStore;
using dad::Catalog;
using dad::SqlRunner;
using dad::Status;
using dad::StatusCode;
using dad::test::FaultyFileSystem;

class BlobStoreTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BlobStoreTest);
    CPPUNIT_TEST(testAdoptNamesBlobBySha256);
    CPPUNIT_TEST(testAdoptingSameContentTwiceKeepsOneFile);
    CPPUNIT_TEST(testFailingDirectorySyncFailsAdopt);
    CPPUNIT_TEST(testAdoptRetriedAfterFailedDirectorySyncSyncsAgain);
    CPPUNIT_TEST(testFailingLinkFailsAdoptAndLeavesNoBlob);
    CPPUNIT_TEST(testAdoptRefusesMalformedDigest);
    CPPUNIT_TEST(testHashFileMatchesSha256);
    CPPUNIT_TEST(testCollectGarbageRemovesOnlyBlobsPastGraceTime);
    CPPUNIT_TEST(testCheckReportsMissingBlobAndWrongSize);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;
    FaultyFileSystem fs_;
    std::unique_ptr<BlobStore> store_;
    std::unique_ptr<Catalog> catalog_;
    int uploads_ = 0;

    static std::string sha(const std::string& content) { return dad::Sha256::hex(content); }

    static std::string readAll(const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream out;
        out << in.rdbuf();
        return out.str();
    }

    // A partial upload file holding `content`, as UploadStream leaves it before adopt().
    std::string upload(const std::string& content) {
        const std::string path = store_->uploadPath("upload-" + std::to_string(++uploads_));
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }

    Status adopt(const std::string& uploadFile, const std::string& sha256) {
        std::shared_lock<std::shared_mutex> lock(store_->linkLock());
        return store_->adopt(uploadFile, sha256);
    }

    // Stores `content` as a file of alice's: blob adopted, catalog linked.
    void storeFile(int64_t folder, int64_t owner, const std::string& name,
                   const std::string& content) {
        const std::string path = upload(content);
        Status s = adopt(path, sha(content));
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        s = catalog_->linkFile(folder, name, owner, sha(content), content.size(), dad::nowSeconds(),
                               false);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        CPPUNIT_ASSERT(fs_.remove(path).isOk());
    }

    size_t filesUnder(const std::string& root) {
        size_t count = 0;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
            if (entry.is_regular_file()) ++count;
        }
        return count;
    }

public:
    void setUp() override {
        char pattern[] = "/tmp/dad-blobs-XXXXXX";
        CPPUNIT_ASSERT(::mkdtemp(pattern) != nullptr);
        dir_ = pattern;
        fs_.clearFaults();
        store_ = std::make_unique<BlobStore>(fs_, dir_);
        CPPUNIT_ASSERT(store_->init().isOk());
        const Status s = Catalog::openSqlite(dir_ + "/catalog.db", catalog_);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
    }

    void tearDown() override {
        catalog_.reset();
        store_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    void testAdoptNamesBlobBySha256() {
        const std::string content = "hello, blob store";
        const std::string digest = sha(content);
        const std::string path = upload(content);
        const std::string expected = dir_ + "/blobs/" + digest.substr(0, 2) + "/" + digest;
        CPPUNIT_ASSERT_EQUAL(expected, store_->blobPath(digest));
        const Status s = adopt(path, digest);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        CPPUNIT_ASSERT(std::filesystem::is_regular_file(expected));
        CPPUNIT_ASSERT_EQUAL(content, readAll(expected));
        // A hard link: the upload file is still there for the caller to discard.
        CPPUNIT_ASSERT(std::filesystem::exists(path));
        CPPUNIT_ASSERT(fs_.syncDirectoryCalls() >= 1);
    }

    void testAdoptingSameContentTwiceKeepsOneFile() {
        const std::string content = "the same bytes, twice";
        const std::string first = upload(content);
        const std::string second = upload(content);
        CPPUNIT_ASSERT(adopt(first, sha(content)).isOk());
        CPPUNIT_ASSERT(adopt(second, sha(content)).isOk());
        CPPUNIT_ASSERT_EQUAL(1, fs_.linkCalls());
        CPPUNIT_ASSERT(fs_.remove(first).isOk());
        CPPUNIT_ASSERT(fs_.remove(second).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{1}, filesUnder(dir_ + "/blobs"));
        CPPUNIT_ASSERT_EQUAL(content, readAll(store_->blobPath(sha(content))));
    }

    void testFailingDirectorySyncFailsAdopt() {
        const std::string content = "not durable yet";
        fs_.failNextSyncDirectory();
        const Status s = adopt(upload(content), sha(content));
        CPPUNIT_ASSERT(!s);
        CPPUNIT_ASSERT(s.code() == StatusCode::IoError);
    }

    void testAdoptRetriedAfterFailedDirectorySyncSyncsAgain() {
        // The first attempt left the blob's name in place but not durable; the
        // retry must not report success before a directory fsync succeeded.
        const std::string content = "retry me";
        const std::string path = upload(content);
        fs_.failNextSyncDirectory();
        CPPUNIT_ASSERT(!adopt(path, sha(content)));
        const int before = fs_.syncDirectoryCalls();
        const Status s = adopt(path, sha(content));
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        CPPUNIT_ASSERT_MESSAGE("adopt() succeeded without syncing the blob's directory",
                               fs_.syncDirectoryCalls() > before);
    }

    void testFailingLinkFailsAdoptAndLeavesNoBlob() {
        const std::string content = "link fails";
        fs_.failNextLink();
        const Status s = adopt(upload(content), sha(content));
        CPPUNIT_ASSERT(!s);
        CPPUNIT_ASSERT(!std::filesystem::exists(store_->blobPath(sha(content))));
    }

    void testAdoptRefusesMalformedDigest() {
        const std::string path = upload("x");
        CPPUNIT_ASSERT(adopt(path, "../../etc/passwd").code() == StatusCode::InvalidArgument);
        CPPUNIT_ASSERT(adopt(path, sha("x").substr(1)).code() == StatusCode::InvalidArgument);
        CPPUNIT_ASSERT_EQUAL(size_t{0}, filesUnder(dir_ + "/blobs"));
    }

    void testHashFileMatchesSha256() {
        std::string big;
        for (size_t i = 0; big.size() < (5u << 19); ++i)
            big += std::to_string(i * 7919) + ",";
        for (const std::string& content :
             {std::string(), std::string("abc"), std::string(1 << 20, 'z'), big}) {
            std::string digest;
            uint64_t size = 1;
            const Status s = store_->hashFile(upload(content), digest, size);
            CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
            CPPUNIT_ASSERT_EQUAL(sha(content), digest);
            CPPUNIT_ASSERT_EQUAL(uint64_t{content.size()}, size);
        }
        std::string digest;
        uint64_t size = 0;
        CPPUNIT_ASSERT(!store_->hashFile(dir_ + "/no-such-file", digest, size));
    }

    void testCollectGarbageRemovesOnlyBlobsPastGraceTime() {
        dad::AccountRecord alice;
        alice.name = "alice";
        CPPUNIT_ASSERT(catalog_->createAccount(alice).isOk());
        storeFile(alice.filesRoot, alice.id, "old", "unreferenced long ago");
        storeFile(alice.filesRoot, alice.id, "new", "unreferenced just now");
        storeFile(alice.filesRoot, alice.id, "kept", "still referenced");
        for (const char* name : {"old", "new"}) {
            std::optional<dad::NodeRecord> node;
            CPPUNIT_ASSERT(catalog_->findChild(alice.filesRoot, name, node).isOk() && node);
            CPPUNIT_ASSERT(catalog_->removeNode(node->id).isOk());
        }
        CPPUNIT_ASSERT(catalog_->db()
                           .transaction([&](SqlRunner& sql) {
                               sql.execute(
                                   "UPDATE blob SET unreferenced_since = ? WHERE sha256 = ?",
                                   {dad::nowSeconds() - 7200, sha("unreferenced long ago")});
                               return Status::ok();
                           })
                           .isOk());
        size_t removed = 99;
        CPPUNIT_ASSERT(store_->collectGarbage(*catalog_, 3600, removed).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{1}, removed);
        CPPUNIT_ASSERT(!std::filesystem::exists(store_->blobPath(sha("unreferenced long ago"))));
        CPPUNIT_ASSERT(std::filesystem::exists(store_->blobPath(sha("unreferenced just now"))));
        CPPUNIT_ASSERT(std::filesystem::exists(store_->blobPath(sha("still referenced"))));
        std::optional<dad::BlobRecord> row;
        CPPUNIT_ASSERT(catalog_->findBlob(sha("unreferenced long ago"), row).isOk());
        CPPUNIT_ASSERT(!row);
        CPPUNIT_ASSERT(catalog_->findBlob(sha("unreferenced just now"), row).isOk());
        CPPUNIT_ASSERT(row && row->refcount == 0);

        CPPUNIT_ASSERT(store_->collectGarbage(*catalog_, 3600, removed).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{0}, removed);
        std::vector<std::string> problems;
        CPPUNIT_ASSERT(store_->check(*catalog_, problems).isOk());
        CPPUNIT_ASSERT(problems.empty());
    }

    void testCheckReportsMissingBlobAndWrongSize() {
        dad::AccountRecord alice;
        alice.name = "alice";
        CPPUNIT_ASSERT(catalog_->createAccount(alice).isOk());
        storeFile(alice.filesRoot, alice.id, "lost", "this blob will vanish");
        storeFile(alice.filesRoot, alice.id, "short", "12345");
        std::vector<std::string> problems;
        CPPUNIT_ASSERT(store_->check(*catalog_, problems).isOk());
        CPPUNIT_ASSERT(problems.empty());

        CPPUNIT_ASSERT(fs_.remove(store_->blobPath(sha("this blob will vanish"))).isOk());
        std::ofstream(store_->blobPath(sha("12345")), std::ios::binary | std::ios::trunc) << "123";
        CPPUNIT_ASSERT(store_->check(*catalog_, problems).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{2}, problems.size());
        std::string all = problems[0] + "\n" + problems[1];
        CPPUNIT_ASSERT(all.find("blob " + sha("this blob will vanish") + " is missing") !=
                       std::string::npos);
        CPPUNIT_ASSERT(all.find("blob " + sha("12345") + " has 3 bytes, the catalog says 5") !=
                       std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(BlobStoreTest);
