#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <filesystem>

#include "Catalog.h"
#include "Sha256.h"

using dad::AccountRecord;
using dad::Catalog;
using dad::DownloadRecord;
using dad::NodeRecord;
using dad::PackageRecord;
using dad::RecipientRecord;
using dad::SqlRunner;
using dad::Status;
using dad::StatusCode;
using dad::UploadRecord;

class CatalogTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CatalogTest);
    CPPUNIT_TEST(testMigrationIsIdempotent);
    CPPUNIT_TEST(testAccountCreateFindAndDuplicateRefused);
    CPPUNIT_TEST(testFindAccountByAddressMatchesEmailCaseInsensitively);
    CPPUNIT_TEST(testKeysAddListAndDuplicateRefused);
    CPPUNIT_TEST(testNodeTreeCreateListMove);
    CPPUNIT_TEST(testFolderCannotMoveIntoItself);
    CPPUNIT_TEST(testLinkFileCountsReferencesAndReplaceDropsOld);
    CPPUNIT_TEST(testRemoveNodeMakesBlobCollectableOnce);
    CPPUNIT_TEST(testBlobReferencedTwiceNotCollectableAfterOneRemoval);
    CPPUNIT_TEST(testCheckReferenceCountsFindsMismatch);
    CPPUNIT_TEST(testCompleteUploadLinksAndForgetsUpload);
    CPPUNIT_TEST(testCreatePackageMakesDraftWithRoot);
    CPPUNIT_TEST(testSendRefusedWhileUploadUnfinished);
    CPPUNIT_TEST(testSentAndInboxNamesAreUnique);
    CPPUNIT_TEST(testSendComputesExpiryFromExpiresAfter);
    CPPUNIT_TEST(testDownloadsStartFinishCount);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;
    std::unique_ptr<Catalog> catalog_;

    static std::string sha(const std::string& content) { return dad::Sha256::hex(content); }

    AccountRecord account(const std::string& name, const std::string& email = "") {
        AccountRecord a;
        a.name = name;
        a.email = email;
        const Status s = catalog_->createAccount(a);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        return a;
    }

    int64_t refcount(const std::string& sha256) {
        std::optional<dad::BlobRecord> blob;
        CPPUNIT_ASSERT(catalog_->findBlob(sha256, blob).isOk());
        return blob ? blob->refcount : -1;
    }

    void link(int64_t parent, const std::string& name, int64_t owner, const std::string& content,
              bool replace = false) {
        const Status s = catalog_->linkFile(parent, name, owner, sha(content), content.size(),
                                            dad::nowSeconds(), replace);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
    }

    NodeRecord child(int64_t parent, const std::string& name) {
        std::optional<NodeRecord> node;
        CPPUNIT_ASSERT(catalog_->findChild(parent, name, node).isOk());
        CPPUNIT_ASSERT_MESSAGE("no " + name, node.has_value());
        return *node;
    }

    PackageRecord draft(const AccountRecord& sender, const std::string& name) {
        static int counter = 0;
        PackageRecord p;
        p.pid = "test-" + std::to_string(++counter) + "-" + name;
        p.token = "token-" + p.pid;
        p.senderId = sender.id;
        p.name = name;
        const Status s = catalog_->createPackage(p);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        return p;
    }

    // A draft with one file, addressed to `recipient`, sent; returns it re-read.
    PackageRecord sendTo(const AccountRecord& sender, const AccountRecord& recipient,
                         const std::string& name) {
        PackageRecord p = draft(sender, name);
        link(p.rootNode, "file.txt", sender.id, "content of " + p.pid);
        RecipientRecord r;
        r.address = recipient.name;
        r.accountId = recipient.id;
        CPPUNIT_ASSERT(catalog_->setRecipients(p.id, {r}).isOk());
        const Status s = catalog_->sendPackage(p.id, name);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        CPPUNIT_ASSERT(catalog_->findPackage(p.id, p).isOk());
        return p;
    }

public:
    void setUp() override {
        char pattern[] = "/tmp/dad-catalog-XXXXXX";
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

    void testMigrationIsIdempotent() {
        const AccountRecord alice = account("alice");
        catalog_.reset();
        std::unique_ptr<Catalog> again;
        Status s = Catalog::openSqlite(dir_ + "/catalog.db", again);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        s = Catalog::openSqlite(dir_ + "/catalog.db", catalog_);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        AccountRecord found;
        CPPUNIT_ASSERT(catalog_->findAccount("alice", found).isOk());
        CPPUNIT_ASSERT_EQUAL(alice.id, found.id);
        int64_t versions = 0;
        CPPUNIT_ASSERT(catalog_->db()
                           .read([&](SqlRunner& sql) {
                               versions =
                                   sql.queryOne("SELECT count(*) FROM schema_version")->integer(0);
                               return Status::ok();
                           })
                           .isOk());
        CPPUNIT_ASSERT_EQUAL(int64_t{1}, versions);
    }

    void testAccountCreateFindAndDuplicateRefused() {
        AccountRecord alice;
        alice.name = "alice";
        alice.email = "alice@example.com";
        alice.type = "admin";
        alice.quotaBytes = 5000;
        alice.passwordHash = "scrypt$x";
        CPPUNIT_ASSERT(catalog_->createAccount(alice).isOk());
        CPPUNIT_ASSERT(alice.id > 0);
        CPPUNIT_ASSERT(alice.filesRoot > 0);

        AccountRecord sub;
        sub.name = "sub";
        sub.parentId = alice.id;
        CPPUNIT_ASSERT(catalog_->createAccount(sub).isOk());

        AccountRecord found;
        CPPUNIT_ASSERT(catalog_->findAccount("alice", found).isOk());
        CPPUNIT_ASSERT_EQUAL(alice.id, found.id);
        CPPUNIT_ASSERT_EQUAL(std::string("admin"), found.type);
        CPPUNIT_ASSERT_EQUAL(std::string("alice@example.com"), found.email);
        CPPUNIT_ASSERT_EQUAL(std::string("scrypt$x"), found.passwordHash);
        CPPUNIT_ASSERT(found.quotaBytes && *found.quotaBytes == 5000);
        CPPUNIT_ASSERT_EQUAL(alice.filesRoot, found.filesRoot);
        CPPUNIT_ASSERT(catalog_->findAccount("sub", found).isOk());
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), found.parentName);

        AccountRecord twin;
        twin.name = "alice";
        const Status s = catalog_->createAccount(twin);
        CPPUNIT_ASSERT(s.code() == StatusCode::Exists);
        std::vector<AccountRecord> all;
        CPPUNIT_ASSERT(catalog_->listAccounts(all).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{2}, all.size());
        CPPUNIT_ASSERT(catalog_->findAccount("nobody", found).code() == StatusCode::NotFound);
    }

    void testFindAccountByAddressMatchesEmailCaseInsensitively() {
        const AccountRecord alice = account("alice", "Alice.Smith@Example.COM");
        account("bob", "bob@example.com");
        AccountRecord found;
        CPPUNIT_ASSERT(catalog_->findAccountByAddress("alice.smith@example.com", found).isOk());
        CPPUNIT_ASSERT_EQUAL(alice.id, found.id);
        CPPUNIT_ASSERT(catalog_->findAccountByAddress("ALICE.SMITH@EXAMPLE.COM", found).isOk());
        CPPUNIT_ASSERT_EQUAL(alice.id, found.id);
        CPPUNIT_ASSERT(catalog_->findAccountByAddress("alice", found).isOk());
        CPPUNIT_ASSERT_EQUAL(alice.id, found.id);
        CPPUNIT_ASSERT(catalog_->findAccountByAddress("carol@example.com", found).code() ==
                       StatusCode::NotFound);
    }

    void testKeysAddListAndDuplicateRefused() {
        account("alice");
        CPPUNIT_ASSERT(catalog_->addKey("alice", {"ssh-ed25519", "AAAAkey1", "laptop"}).isOk());
        CPPUNIT_ASSERT(catalog_->addKey("alice", {"ssh-rsa", "AAAAkey2", ""}).isOk());
        CPPUNIT_ASSERT(catalog_->addKey("alice", {"ssh-ed25519", "AAAAkey1", "again"}).code() ==
                       StatusCode::Exists);
        CPPUNIT_ASSERT(catalog_->addKey("nobody", {"ssh-rsa", "AAAAkey3", ""}).code() ==
                       StatusCode::NotFound);
        std::vector<dad::SshKeyRecord> keys;
        CPPUNIT_ASSERT(catalog_->listKeys("alice", keys).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{2}, keys.size());
        CPPUNIT_ASSERT_EQUAL(std::string("ssh-ed25519"), keys[0].type);
        CPPUNIT_ASSERT_EQUAL(std::string("AAAAkey1"), keys[0].base64);
        CPPUNIT_ASSERT_EQUAL(std::string("laptop"), keys[0].comment);
        CPPUNIT_ASSERT_EQUAL(std::string("AAAAkey2"), keys[1].base64);
    }

    void testNodeTreeCreateListMove() {
        const AccountRecord alice = account("alice");
        int64_t docs = 0, old = 0;
        CPPUNIT_ASSERT(catalog_->createDirectory(alice.filesRoot, "docs", alice.id, docs).isOk());
        CPPUNIT_ASSERT(catalog_->createDirectory(alice.filesRoot, "old", alice.id, old).isOk());
        CPPUNIT_ASSERT(catalog_->createDirectory(alice.filesRoot, "docs", alice.id, docs).code() ==
                       StatusCode::Exists);
        link(docs, "b.txt", alice.id, "bbb");
        link(docs, "a.txt", alice.id, "aaaa");

        std::vector<NodeRecord> children;
        CPPUNIT_ASSERT(catalog_->listChildren(docs, children).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{2}, children.size());
        CPPUNIT_ASSERT_EQUAL(std::string("a.txt"), children[0].name);
        CPPUNIT_ASSERT_EQUAL(uint64_t{4}, children[0].size);
        CPPUNIT_ASSERT_EQUAL(sha("aaaa"), children[0].blob);
        CPPUNIT_ASSERT_EQUAL(std::string("b.txt"), children[1].name);

        const NodeRecord a = child(docs, "a.txt");
        CPPUNIT_ASSERT(catalog_->moveNode(a.id, old, "renamed.txt", false).isOk());
        CPPUNIT_ASSERT(catalog_->listChildren(docs, children).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{1}, children.size());
        CPPUNIT_ASSERT_EQUAL(a.id, child(old, "renamed.txt").id);

        // A folder moves with its content; a taken name is refused without replace.
        CPPUNIT_ASSERT(catalog_->moveNode(old, docs, "old", false).isOk());
        std::vector<std::pair<std::string, NodeRecord>> files;
        CPPUNIT_ASSERT(catalog_->listFilesUnder(alice.filesRoot, files).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{2}, files.size());
        CPPUNIT_ASSERT_EQUAL(std::string("docs/b.txt"), files[0].first);
        CPPUNIT_ASSERT_EQUAL(std::string("docs/old/renamed.txt"), files[1].first);
        const NodeRecord b = child(docs, "b.txt");
        CPPUNIT_ASSERT(catalog_->moveNode(b.id, old, "renamed.txt", false).code() ==
                       StatusCode::Exists);
        CPPUNIT_ASSERT(catalog_->moveNode(b.id, old, "renamed.txt", true).isOk());
        CPPUNIT_ASSERT_EQUAL(sha("bbb"), child(old, "renamed.txt").blob);
        CPPUNIT_ASSERT_EQUAL(int64_t{0}, refcount(sha("aaaa")));
    }

    void testFolderCannotMoveIntoItself() {
        const AccountRecord alice = account("alice");
        int64_t top = 0, inner = 0;
        CPPUNIT_ASSERT(catalog_->createDirectory(alice.filesRoot, "top", alice.id, top).isOk());
        CPPUNIT_ASSERT(catalog_->createDirectory(top, "inner", alice.id, inner).isOk());
        CPPUNIT_ASSERT(catalog_->moveNode(top, top, "self", false).code() ==
                       StatusCode::InvalidArgument);
        CPPUNIT_ASSERT(catalog_->moveNode(top, inner, "below", false).code() ==
                       StatusCode::InvalidArgument);
        NodeRecord node;
        CPPUNIT_ASSERT(catalog_->findNode(top, node).isOk());
        CPPUNIT_ASSERT_EQUAL(alice.filesRoot, node.parentId);
        CPPUNIT_ASSERT_EQUAL(std::string("top"), node.name);
    }

    void testLinkFileCountsReferencesAndReplaceDropsOld() {
        const AccountRecord alice = account("alice");
        link(alice.filesRoot, "one", alice.id, "same");
        CPPUNIT_ASSERT_EQUAL(int64_t{1}, refcount(sha("same")));
        link(alice.filesRoot, "two", alice.id, "same");
        CPPUNIT_ASSERT_EQUAL(int64_t{2}, refcount(sha("same")));

        // Without replace the name is refused and nothing is counted.
        CPPUNIT_ASSERT(catalog_
                           ->linkFile(alice.filesRoot, "two", alice.id, sha("other"), 5,
                                      dad::nowSeconds(), false)
                           .code() == StatusCode::Exists);
        CPPUNIT_ASSERT_EQUAL(int64_t{-1}, refcount(sha("other")));

        link(alice.filesRoot, "two", alice.id, "other", true);
        CPPUNIT_ASSERT_EQUAL(int64_t{1}, refcount(sha("same")));
        CPPUNIT_ASSERT_EQUAL(int64_t{1}, refcount(sha("other")));
        CPPUNIT_ASSERT_EQUAL(sha("other"), child(alice.filesRoot, "two").blob);
        CPPUNIT_ASSERT_EQUAL(uint64_t{5}, child(alice.filesRoot, "two").size);

        // Replacing a file with the same content keeps the count.
        link(alice.filesRoot, "two", alice.id, "other", true);
        CPPUNIT_ASSERT_EQUAL(int64_t{1}, refcount(sha("other")));

        uint64_t used = 0;
        CPPUNIT_ASSERT(catalog_->usedBytes(alice.id, used).isOk());
        CPPUNIT_ASSERT_EQUAL(uint64_t{4 + 5}, used);
        std::vector<std::string> problems;
        CPPUNIT_ASSERT(catalog_->checkReferenceCounts(problems).isOk());
        CPPUNIT_ASSERT(problems.empty());
    }

    void testRemoveNodeMakesBlobCollectableOnce() {
        const AccountRecord alice = account("alice");
        link(alice.filesRoot, "f", alice.id, "gone soon");
        const int64_t before = dad::nowSeconds();
        CPPUNIT_ASSERT(catalog_->removeNode(child(alice.filesRoot, "f").id).isOk());
        CPPUNIT_ASSERT_EQUAL(int64_t{0}, refcount(sha("gone soon")));
        std::optional<int64_t> since;
        CPPUNIT_ASSERT(catalog_->db()
                           .read([&](SqlRunner& sql) {
                               since = sql.queryOne(
                                              "SELECT unreferenced_since FROM blob WHERE "
                                              "sha256 = ?",
                                              {sha("gone soon")})
                                           ->optionalInteger(0);
                               return Status::ok();
                           })
                           .isOk());
        CPPUNIT_ASSERT(since.has_value());
        CPPUNIT_ASSERT(*since >= before);

        std::vector<std::string> collectable;
        // Not before its grace time ends...
        CPPUNIT_ASSERT(catalog_->takeCollectableBlobs(before - 60, collectable).isOk());
        CPPUNIT_ASSERT(collectable.empty());
        // ...then once.
        CPPUNIT_ASSERT(catalog_->takeCollectableBlobs(dad::nowSeconds() + 60, collectable).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{1}, collectable.size());
        CPPUNIT_ASSERT_EQUAL(sha("gone soon"), collectable[0]);
        CPPUNIT_ASSERT(catalog_->takeCollectableBlobs(dad::nowSeconds() + 60, collectable).isOk());
        CPPUNIT_ASSERT(collectable.empty());
        CPPUNIT_ASSERT_EQUAL(int64_t{-1}, refcount(sha("gone soon")));
    }

    void testBlobReferencedTwiceNotCollectableAfterOneRemoval() {
        const AccountRecord alice = account("alice");
        const AccountRecord bob = account("bob");
        link(alice.filesRoot, "mine", alice.id, "shared");
        link(bob.filesRoot, "his", bob.id, "shared");
        CPPUNIT_ASSERT(catalog_->removeNode(child(alice.filesRoot, "mine").id).isOk());
        CPPUNIT_ASSERT_EQUAL(int64_t{1}, refcount(sha("shared")));
        std::vector<std::string> collectable;
        CPPUNIT_ASSERT(catalog_->takeCollectableBlobs(dad::nowSeconds() + 60, collectable).isOk());
        CPPUNIT_ASSERT(collectable.empty());
        // A folder with content is not removed; emptied, it is.
        int64_t folder = 0;
        CPPUNIT_ASSERT(catalog_->createDirectory(bob.filesRoot, "d", bob.id, folder).isOk());
        link(folder, "x", bob.id, "x");
        CPPUNIT_ASSERT(catalog_->removeNode(folder).code() == StatusCode::NotEmpty);
        CPPUNIT_ASSERT(catalog_->removeNode(child(folder, "x").id).isOk());
        CPPUNIT_ASSERT(catalog_->removeNode(folder).isOk());
    }

    void testCheckReferenceCountsFindsMismatch() {
        const AccountRecord alice = account("alice");
        link(alice.filesRoot, "f", alice.id, "counted");
        std::vector<std::string> problems;
        CPPUNIT_ASSERT(catalog_->checkReferenceCounts(problems).isOk());
        CPPUNIT_ASSERT(problems.empty());
        CPPUNIT_ASSERT(catalog_->db()
                           .transaction([&](SqlRunner& sql) {
                               sql.execute("UPDATE blob SET refcount = 3 WHERE sha256 = ?",
                                           {sha("counted")});
                               return Status::ok();
                           })
                           .isOk());
        CPPUNIT_ASSERT(catalog_->checkReferenceCounts(problems).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{1}, problems.size());
        CPPUNIT_ASSERT(problems[0].find(sha("counted")) != std::string::npos);
        CPPUNIT_ASSERT(problems[0].find("counts 3 references but 1") != std::string::npos);
    }

    void testCompleteUploadLinksAndForgetsUpload() {
        const AccountRecord alice = account("alice");
        UploadRecord u;
        u.accountId = alice.id;
        u.parentNode = alice.filesRoot;
        u.rootNode = alice.filesRoot;
        u.name = "up.bin";
        u.tempName = "tmp123";
        CPPUNIT_ASSERT(catalog_->createUpload(u).isOk());
        std::optional<UploadRecord> found;
        CPPUNIT_ASSERT(catalog_->findUpload(alice.filesRoot, "up.bin", alice.id, found).isOk());
        CPPUNIT_ASSERT(found && found->tempName == "tmp123");
        std::optional<NodeRecord> node;
        CPPUNIT_ASSERT(catalog_->findChild(alice.filesRoot, "up.bin", node).isOk());
        CPPUNIT_ASSERT(!node);

        CPPUNIT_ASSERT(catalog_->completeUpload(u, sha("data"), 4, dad::nowSeconds()).isOk());
        CPPUNIT_ASSERT_EQUAL(sha("data"), child(alice.filesRoot, "up.bin").blob);
        CPPUNIT_ASSERT(catalog_->findUpload(alice.filesRoot, "up.bin", alice.id, found).isOk());
        CPPUNIT_ASSERT(!found);
        // A second completion of the same upload is refused and counts nothing.
        CPPUNIT_ASSERT(catalog_->completeUpload(u, sha("data"), 4, dad::nowSeconds()).code() ==
                       StatusCode::NotFound);
        CPPUNIT_ASSERT_EQUAL(int64_t{1}, refcount(sha("data")));
    }

    void testCreatePackageMakesDraftWithRoot() {
        const AccountRecord alice = account("alice");
        const PackageRecord p = draft(alice, "report");
        CPPUNIT_ASSERT(p.id > 0);
        CPPUNIT_ASSERT(p.rootNode > 0);
        NodeRecord root;
        CPPUNIT_ASSERT(catalog_->findNode(p.rootNode, root).isOk());
        CPPUNIT_ASSERT(root.isDir);
        CPPUNIT_ASSERT_EQUAL(p.rootNode, root.rootId);
        std::optional<PackageRecord> found;
        CPPUNIT_ASSERT(catalog_->findDraft(alice.id, "report", found).isOk());
        CPPUNIT_ASSERT(found.has_value());
        CPPUNIT_ASSERT_EQUAL(p.pid, found->pid);
        CPPUNIT_ASSERT_EQUAL(std::string("draft"), found->state);
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), found->senderName);
        PackageRecord byPid;
        CPPUNIT_ASSERT(catalog_->findPackageByPid(p.pid, byPid).isOk());
        CPPUNIT_ASSERT_EQUAL(p.id, byPid.id);
    }

    void testSendRefusedWhileUploadUnfinished() {
        const AccountRecord alice = account("alice");
        const AccountRecord bob = account("bob");
        PackageRecord p = draft(alice, "x");
        int64_t sub = 0;
        CPPUNIT_ASSERT(catalog_->createDirectory(p.rootNode, "sub", alice.id, sub).isOk());
        UploadRecord u;
        u.accountId = alice.id;
        u.parentNode = sub;
        u.rootNode = p.rootNode;
        u.name = "big.iso";
        u.tempName = "t1";
        CPPUNIT_ASSERT(catalog_->createUpload(u).isOk());
        CPPUNIT_ASSERT(catalog_->setRecipients(p.id, {{0, 0, "bob", bob.id, "to", "", {}}}).isOk());
        CPPUNIT_ASSERT(catalog_->sendPackage(p.id, "x").code() == StatusCode::Busy);
        CPPUNIT_ASSERT(catalog_->findPackage(p.id, p).isOk());
        CPPUNIT_ASSERT_EQUAL(std::string("draft"), p.state);
        std::vector<std::pair<std::string, PackageRecord>> inbox;
        CPPUNIT_ASSERT(catalog_->listInbox(bob.id, inbox).isOk());
        CPPUNIT_ASSERT(inbox.empty());

        CPPUNIT_ASSERT(catalog_->removeUpload(u.id).isOk());
        CPPUNIT_ASSERT(catalog_->sendPackage(p.id, "x").isOk());
        CPPUNIT_ASSERT(catalog_->sendPackage(p.id, "x").code() == StatusCode::InvalidArgument);
    }

    void testSentAndInboxNamesAreUnique() {
        const AccountRecord alice = account("alice");
        const AccountRecord bob = account("bob");
        const PackageRecord first = sendTo(alice, bob, "x");
        const PackageRecord second = sendTo(alice, bob, "x");
        CPPUNIT_ASSERT_EQUAL(std::string("sent"), first.state);
        CPPUNIT_ASSERT_EQUAL(std::string("x"), first.sentName);
        CPPUNIT_ASSERT_EQUAL(std::string("x-2"), second.sentName);
        std::vector<RecipientRecord> recipients;
        CPPUNIT_ASSERT(catalog_->listRecipients(second.id, recipients).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{1}, recipients.size());
        CPPUNIT_ASSERT_EQUAL(std::string("alice-x-2"), recipients[0].inboxName);

        std::vector<std::pair<std::string, PackageRecord>> inbox;
        CPPUNIT_ASSERT(catalog_->listInbox(bob.id, inbox).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{2}, inbox.size());
        CPPUNIT_ASSERT_EQUAL(std::string("alice-x"), inbox[0].first);
        CPPUNIT_ASSERT_EQUAL(first.id, inbox[0].second.id);
        CPPUNIT_ASSERT_EQUAL(std::string("alice-x-2"), inbox[1].first);
        CPPUNIT_ASSERT_EQUAL(second.id, inbox[1].second.id);

        std::optional<PackageRecord> found;
        CPPUNIT_ASSERT(catalog_->findInbox(bob.id, "alice-x-2", found).isOk());
        CPPUNIT_ASSERT(found && found->id == second.id);
        CPPUNIT_ASSERT(catalog_->findSent(alice.id, "x-2", found).isOk());
        CPPUNIT_ASSERT(found && found->id == second.id);
        // The sender's own inbox stays empty.
        CPPUNIT_ASSERT(catalog_->listInbox(alice.id, inbox).isOk());
        CPPUNIT_ASSERT(inbox.empty());
    }

    void testSendComputesExpiryFromExpiresAfter() {
        const AccountRecord alice = account("alice");
        const AccountRecord bob = account("bob");
        PackageRecord p = draft(alice, "week");
        p.expiresAfter = 604800;
        p.maxDownloads = 2;
        p.message = "hello";
        CPPUNIT_ASSERT(catalog_->updatePackageSettings(p).isOk());
        CPPUNIT_ASSERT(catalog_->setRecipients(p.id, {{0, 0, "bob", bob.id, "to", "", {}}}).isOk());
        CPPUNIT_ASSERT(catalog_->sendPackage(p.id, "week").isOk());
        CPPUNIT_ASSERT(catalog_->findPackage(p.id, p).isOk());
        CPPUNIT_ASSERT(p.sentAt.has_value());
        CPPUNIT_ASSERT(p.expiresAt.has_value());
        CPPUNIT_ASSERT_EQUAL(*p.sentAt + 604800, *p.expiresAt);
        CPPUNIT_ASSERT(p.maxDownloads && *p.maxDownloads == 2);
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), p.message);
    }

    void testDownloadsStartFinishCount() {
        const AccountRecord alice = account("alice");
        const AccountRecord bob = account("bob");
        const PackageRecord p = sendTo(alice, bob, "dl");
        const NodeRecord file = child(p.rootNode, "file.txt");
        DownloadRecord d;
        d.packageId = p.id;
        d.nodeId = file.id;
        d.path = "/inbox/alice-dl/file.txt";
        d.accountId = bob.id;
        d.remoteAddress = "192.0.2.1";
        d.protocol = "sftp";
        CPPUNIT_ASSERT(catalog_->startDownload(d).isOk());
        CPPUNIT_ASSERT(d.id > 0);
        DownloadRecord partial = d;
        CPPUNIT_ASSERT(catalog_->startDownload(partial).isOk());

        uint64_t granted = 0;
        CPPUNIT_ASSERT(catalog_->chargeDownload(d.id, 0, file.size, granted).isOk());
        CPPUNIT_ASSERT_EQUAL(file.size, granted);
        CPPUNIT_ASSERT(catalog_->chargeDownload(partial.id, 0, 3, granted).isOk());
        bool complete = false;
        CPPUNIT_ASSERT(catalog_->finishDownload(d.id, file.size, file.size, complete).isOk());
        CPPUNIT_ASSERT(complete);
        CPPUNIT_ASSERT(catalog_->finishDownload(partial.id, 3, file.size, complete).isOk());
        CPPUNIT_ASSERT(!complete);
        uint64_t served = 0;
        CPPUNIT_ASSERT(catalog_->servedBytes(file.id, served).isOk());
        CPPUNIT_ASSERT_EQUAL(file.size + 3, served);

        std::vector<DownloadRecord> downloads;
        CPPUNIT_ASSERT(catalog_->listDownloads(p.id, downloads).isOk());
        CPPUNIT_ASSERT_EQUAL(size_t{2}, downloads.size());
        CPPUNIT_ASSERT_EQUAL(std::string("bob"), downloads[0].accountName);
        CPPUNIT_ASSERT(downloads[0].complete);
        CPPUNIT_ASSERT(downloads[0].finished.has_value());
        CPPUNIT_ASSERT_EQUAL(file.size, downloads[0].bytes);
        CPPUNIT_ASSERT_EQUAL(std::string("192.0.2.1"), downloads[0].remoteAddress);
        CPPUNIT_ASSERT_EQUAL(std::string("sftp"), downloads[0].protocol);
        CPPUNIT_ASSERT(!downloads[1].complete);
        CPPUNIT_ASSERT_EQUAL(uint64_t{3}, downloads[1].bytes);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CatalogTest);
