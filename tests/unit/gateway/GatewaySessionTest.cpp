#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "DeadProperties.h"
#include "FaultyFileSystem.h"
#include "Gateway.h"
#include "PackageReport.h"
#include "Secrets.h"
#include "Sha256.h"

using dad::AccountRecord;
using dad::ConnectionInfo;
using dad::FileInfo;
using dad::Gateway;
using dad::PackageRecord;
using dad::ReadStream;
using dad::Session;
using dad::Status;
using dad::StatusCode;
using dad::WriteOptions;
using dad::WriteStream;
using dad::test::FaultyFileSystem;

namespace {

std::string codeName(StatusCode code) {
    switch (code) {
        case StatusCode::Ok:
            return "Ok";
        case StatusCode::NotFound:
            return "NotFound";
        case StatusCode::Exists:
            return "Exists";
        case StatusCode::PermissionDenied:
            return "PermissionDenied";
        case StatusCode::NotADirectory:
            return "NotADirectory";
        case StatusCode::IsADirectory:
            return "IsADirectory";
        case StatusCode::NotEmpty:
            return "NotEmpty";
        case StatusCode::InvalidArgument:
            return "InvalidArgument";
        case StatusCode::QuotaExceeded:
            return "QuotaExceeded";
        case StatusCode::Busy:
            return "Busy";
        case StatusCode::Unsupported:
            return "Unsupported";
        case StatusCode::IoError:
            return "IoError";
        case StatusCode::Failure:
            return "Failure";
    }
    return "?";
}

}  // namespace

// Asserts that a Status has the expected code, showing the message if not.
#define ASSERT_CODE(expected, status)                                              \
    do {                                                                           \
        const Status s_ = (status);                                                \
        CPPUNIT_ASSERT_EQUAL_MESSAGE(s_.message(), codeName(StatusCode::expected), \
                                     codeName(s_.code()));                         \
    } while (0)
#define ASSERT_OK(status) ASSERT_CODE(Ok, status)

class GatewaySessionTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(GatewaySessionTest);
    CPPUNIT_TEST(testRootListsTheFiveAreas);
    CPPUNIT_TEST(testWrittenFileCanBeStattedAndReadBack);
    CPPUNIT_TEST(testReplacingFileIsAtomicForReaders);
    CPPUNIT_TEST(testAbandonedUploadSeenOnlyByUploaderAndResumable);
    CPPUNIT_TEST(testFailingFsyncAtCloseFailsCloseAndKeepsPartial);
    CPPUNIT_TEST(testFailingDirectoryFsyncAtCloseFailsCloseAndKeepsPartial);
    CPPUNIT_TEST(testFailingWriteReportsIoErrorAndUploadGoesOn);
    CPPUNIT_TEST(testNewDraftHasLinkFile);
    CPPUNIT_TEST(testManifestWithUnknownKeyFailsAtCloseAndLeavesNoPartial);
    CPPUNIT_TEST(testSendingDeliversToInboxAndReadingRecordsDownload);
    CPPUNIT_TEST(testRecipientCannotChangeInbox);
    CPPUNIT_TEST(testRemovingFromTheInboxHidesItThere);
    CPPUNIT_TEST(testRemovingFromSentWithdrawsThePackageWhole);
    CPPUNIT_TEST(testSendingWithOpenUploadIsBusy);
    CPPUNIT_TEST(testSendingWithoutRecipientFails);
    CPPUNIT_TEST(testReplyBecomesPackageReturnedToSender);
    CPPUNIT_TEST(testMaxDownloadsRefusesSecondCompleteRead);
    CPPUNIT_TEST(testQuotaRefusesWriteBeyondIt);
    CPPUNIT_TEST(testCopyFileReferencesSameBlob);
    CPPUNIT_TEST(testContentHashIsSha256OfContent);
    CPPUNIT_TEST(testListAndStatCarryTheContentHash);
    CPPUNIT_TEST(testDeadPropertiesOfChildrenInOneLook);
    CPPUNIT_TEST(testDotDotCannotEscapeNamespace);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;
    FaultyFileSystem fs_;
    std::unique_ptr<Gateway> gateway_;
    AccountRecord alice_, bob_;
    std::unique_ptr<Session> alice_session_, bob_session_;

    Session& alice() { return *alice_session_; }
    Session& bob() { return *bob_session_; }

    AccountRecord createAccount(const std::string& name, std::optional<int64_t> quota = {}) {
        AccountRecord a;
        a.name = name;
        a.email = name + "@example.com";
        a.passwordHash = dad::hashPassword(name + "-password");
        a.quotaBytes = quota;
        ASSERT_OK(gateway_->catalog().createAccount(a));
        return a;
    }

    std::unique_ptr<Session> openSession(const std::string& name) {
        std::unique_ptr<Session> session;
        ASSERT_OK(gateway_->openSession(name, ConnectionInfo{"test", "127.0.0.1", 1}, session));
        CPPUNIT_ASSERT(session != nullptr);
        return session;
    }

    static Status write(Session& session, const std::string& path, const std::string& content,
                        bool truncate = true) {
        std::unique_ptr<WriteStream> stream;
        WriteOptions options;
        options.truncate = truncate;
        if (Status s = session.openWrite(path, options, stream); !s) return s;
        if (Status s = stream->write(0, content.data(), content.size()); !s) return s;
        return stream->close();
    }

    static Status read(Session& session, const std::string& path, std::string& content) {
        std::unique_ptr<ReadStream> stream;
        if (Status s = session.openRead(path, stream); !s) return s;
        content.clear();
        char buffer[7];  // small, so reads are many and sequential
        for (;;) {
            size_t got = 0;
            if (Status s = stream->read(content.size(), buffer, sizeof buffer, got); !s) return s;
            if (got == 0) break;
            content.append(buffer, got);
        }
        return stream->close();
    }

    static std::string readText(Session& session, const std::string& path) {
        std::string content;
        ASSERT_OK(read(session, path, content));
        return content;
    }

    static std::vector<std::string> names(Session& session, const std::string& path) {
        std::vector<FileInfo> entries;
        ASSERT_OK(session.list(path, entries));
        std::vector<std::string> out;
        for (const FileInfo& e : entries)
            out.push_back(e.name);
        std::sort(out.begin(), out.end());
        return out;
    }

    static bool has(const std::vector<std::string>& list, const std::string& name) {
        return std::find(list.begin(), list.end(), name) != list.end();
    }

    PackageRecord draft(const AccountRecord& sender, const std::string& name) {
        std::optional<PackageRecord> p;
        ASSERT_OK(gateway_->catalog().findDraft(sender.id, name, p));
        CPPUNIT_ASSERT_MESSAGE("no draft " + name, p.has_value());
        return *p;
    }

    PackageRecord sentPackage(const std::string& sentName) {
        std::optional<PackageRecord> p;
        ASSERT_OK(gateway_->catalog().findSent(alice_.id, sentName, p));
        CPPUNIT_ASSERT_MESSAGE("no sent package " + sentName, p.has_value());
        return *p;
    }

    PackageRecord inbox(const AccountRecord& recipient, const std::string& name) {
        std::optional<PackageRecord> p;
        ASSERT_OK(gateway_->catalog().findInbox(recipient.id, name, p));
        CPPUNIT_ASSERT_MESSAGE("no inbox package " + name, p.has_value());
        return *p;
    }

    size_t blobFiles() {
        size_t count = 0;
        for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/blobs")) {
            if (e.is_regular_file()) ++count;
        }
        return count;
    }

    size_t uploadFiles() {
        size_t count = 0;
        for (const auto& e : std::filesystem::directory_iterator(dir_ + "/uploads")) {
            if (e.is_regular_file()) ++count;
        }
        return count;
    }

    // alice sends `files` in the draft /outbox/bob to bob; returns bob's inbox name.
    std::string sendToBob(const std::vector<std::pair<std::string, std::string>>& files) {
        ASSERT_OK(alice().makeDirectory("/outbox/bob"));
        for (const auto& [name, content] : files)
            ASSERT_OK(write(alice(), "/outbox/bob/" + name, content));
        ASSERT_OK(alice().rename("/outbox/bob", "/sent/bob", false));
        return "alice-bob";
    }

public:
    void setUp() override {
        char pattern[] = "/tmp/dad-session-XXXXXX";
        CPPUNIT_ASSERT(::mkdtemp(pattern) != nullptr);
        dir_ = pattern;
        fs_.clearFaults();
        dad::GatewayOptions options;
        options.dataDir = dir_;
        options.siteId = "test";
        options.publicUrl = "https://gw.example/";
        ASSERT_OK(Gateway::open(options, gateway_, fs_));
        alice_ = createAccount("alice");
        bob_ = createAccount("bob");
        alice_session_ = openSession("alice");
        bob_session_ = openSession("bob");
    }

    void tearDown() override {
        alice_session_.reset();
        bob_session_.reset();
        gateway_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    void testRootListsTheFiveAreas() {
        CPPUNIT_ASSERT((names(alice(), "/") ==
                        std::vector<std::string>{"fetch", "files", "inbox", "outbox", "sent"}));
        FileInfo info;
        ASSERT_OK(alice().stat("/", info));
        CPPUNIT_ASSERT(info.isDirectory());
        for (const char* area : {"/files", "/outbox", "/sent", "/inbox", "/fetch"}) {
            ASSERT_OK(alice().stat(area, info));
            CPPUNIT_ASSERT(info.isDirectory());
            CPPUNIT_ASSERT(names(alice(), area).empty());
        }
        ASSERT_CODE(NotFound, alice().stat("/elsewhere", info));
    }

    void testWrittenFileCanBeStattedAndReadBack() {
        const std::string content = "hello from alice\n";
        ASSERT_OK(alice().makeDirectory("/files/docs"));
        ASSERT_OK(write(alice(), "/files/docs/hello.txt", content));
        FileInfo info;
        ASSERT_OK(alice().stat("/files/docs/hello.txt", info));
        CPPUNIT_ASSERT(!info.isDirectory());
        CPPUNIT_ASSERT_EQUAL(uint64_t{content.size()}, info.size);
        CPPUNIT_ASSERT(info.writable);
        CPPUNIT_ASSERT_EQUAL(content, readText(alice(), "/files/docs/hello.txt"));
        CPPUNIT_ASSERT((names(alice(), "/files/docs") == std::vector<std::string>{"hello.txt"}));
        // Replacing a file with a truncating write replaces the content.
        ASSERT_OK(write(alice(), "/files/docs/hello.txt", "v2"));
        CPPUNIT_ASSERT_EQUAL(std::string("v2"), readText(alice(), "/files/docs/hello.txt"));
        // Someone else's /files is their own.
        CPPUNIT_ASSERT(names(bob(), "/files").empty());
        std::string ignored;
        ASSERT_CODE(NotFound, read(bob(), "/files/docs/hello.txt", ignored));
        CPPUNIT_ASSERT_EQUAL(size_t{0}, uploadFiles());
    }

    void testReplacingFileIsAtomicForReaders() {
        const std::string before(5000, 'o'), after(3000, 'n');
        ASSERT_OK(write(alice(), "/files/doc.txt", before));
        std::unique_ptr<ReadStream> reader;
        ASSERT_OK(alice().openRead("/files/doc.txt", reader));
        std::unique_ptr<WriteStream> writer;
        ASSERT_OK(alice().openWrite("/files/doc.txt", WriteOptions{true, false, false}, writer));
        ASSERT_OK(writer->write(0, after.data(), after.size()));
        // Until the new version is committed readers see the old one whole.
        CPPUNIT_ASSERT_EQUAL(before, readText(alice(), "/files/doc.txt"));
        ASSERT_OK(writer->close());
        CPPUNIT_ASSERT_EQUAL(after, readText(alice(), "/files/doc.txt"));
        // A reader that opened before the replacement still reads the old content.
        std::string old(before.size(), '\0');
        size_t got = 0;
        ASSERT_OK(reader->read(0, old.data(), old.size(), got));
        CPPUNIT_ASSERT_EQUAL(before.size(), got);
        CPPUNIT_ASSERT(old == before);
        ASSERT_OK(reader->close());
    }

    void testAbandonedUploadSeenOnlyByUploaderAndResumable() {
        const std::string full = std::string(3000, 'a') + std::string(2000, 'b');
        ASSERT_OK(alice().makeDirectory("/outbox/bob"));
        {
            std::unique_ptr<WriteStream> stream;
            ASSERT_OK(
                alice().openWrite("/outbox/bob/big.bin", WriteOptions{true, false, false}, stream));
            ASSERT_OK(stream->write(0, full.data(), 3000));
            stream->abandon();
        }
        // The uploader sees the partial file with the bytes it has...
        FileInfo info;
        ASSERT_OK(alice().stat("/outbox/bob/big.bin", info));
        CPPUNIT_ASSERT_EQUAL(uint64_t{3000}, info.size);
        std::vector<FileInfo> entries;
        ASSERT_OK(alice().list("/outbox/bob", entries));
        auto big = std::find_if(entries.begin(), entries.end(),
                                [](const FileInfo& e) { return e.name == "big.bin"; });
        CPPUNIT_ASSERT(big != entries.end());
        CPPUNIT_ASSERT_EQUAL(uint64_t{3000}, big->size);
        // ...but it is not a stored file, it cannot be sent, and nobody else sees it.
        std::string hash;
        ASSERT_CODE(NotFound, alice().contentHash("/outbox/bob/big.bin", hash));
        ASSERT_CODE(Busy, alice().rename("/outbox/bob", "/sent/bob", false));
        CPPUNIT_ASSERT(names(alice(), "/sent").empty());
        CPPUNIT_ASSERT(names(bob(), "/inbox").empty());
        CPPUNIT_ASSERT_EQUAL(size_t{0}, blobFiles());

        // Resume: no truncate, write the rest at the offset the client stat'ed.
        {
            std::unique_ptr<WriteStream> stream;
            ASSERT_OK(alice().openWrite("/outbox/bob/big.bin", WriteOptions{}, stream));
            CPPUNIT_ASSERT_EQUAL(uint64_t{3000}, stream->size());
            ASSERT_OK(stream->write(3000, full.data() + 3000, 2000));
            ASSERT_OK(stream->close());
        }
        ASSERT_OK(alice().stat("/outbox/bob/big.bin", info));
        CPPUNIT_ASSERT_EQUAL(uint64_t{5000}, info.size);
        CPPUNIT_ASSERT(readText(alice(), "/outbox/bob/big.bin") == full);
        ASSERT_OK(alice().contentHash("/outbox/bob/big.bin", hash));
        CPPUNIT_ASSERT_EQUAL(dad::Sha256::hex(full), hash);
        CPPUNIT_ASSERT_EQUAL(size_t{0}, uploadFiles());

        ASSERT_OK(alice().rename("/outbox/bob", "/sent/bob", false));
        CPPUNIT_ASSERT(readText(bob(), "/inbox/alice-bob/big.bin") == full);
    }

    // After a close() that failed, nothing is visible and the partial resumes.
    void checkFailedCloseKeepsPartial(const std::string& content) {
        const std::string path = "/outbox/bob/doc.pdf";
        FileInfo info;
        ASSERT_OK(alice().stat(path, info));
        CPPUNIT_ASSERT_EQUAL(uint64_t{content.size()}, info.size);
        std::string hash;
        ASSERT_CODE(NotFound, alice().contentHash(path, hash));
        std::optional<dad::NodeRecord> node;
        ASSERT_OK(gateway_->catalog().findChild(draft(alice_, "bob").rootNode, "doc.pdf", node));
        CPPUNIT_ASSERT(!node.has_value());
        ASSERT_CODE(Busy, alice().rename("/outbox/bob", "/sent/bob", false));
        CPPUNIT_ASSERT(names(bob(), "/inbox").empty());

        std::unique_ptr<WriteStream> stream;
        ASSERT_OK(alice().openWrite(path, WriteOptions{}, stream));
        CPPUNIT_ASSERT_EQUAL(uint64_t{content.size()}, stream->size());
        ASSERT_OK(stream->close());
        CPPUNIT_ASSERT(readText(alice(), path) == content);
        ASSERT_OK(alice().contentHash(path, hash));
        CPPUNIT_ASSERT_EQUAL(dad::Sha256::hex(content), hash);
        CPPUNIT_ASSERT_EQUAL(size_t{0}, uploadFiles());
        ASSERT_OK(alice().rename("/outbox/bob", "/sent/bob", false));
        CPPUNIT_ASSERT(readText(bob(), "/inbox/alice-bob/doc.pdf") == content);
    }

    void testFailingFsyncAtCloseFailsCloseAndKeepsPartial() {
        const std::string content(10000, 'p');
        ASSERT_OK(alice().makeDirectory("/outbox/bob"));
        std::unique_ptr<WriteStream> stream;
        ASSERT_OK(
            alice().openWrite("/outbox/bob/doc.pdf", WriteOptions{true, false, false}, stream));
        ASSERT_OK(stream->write(0, content.data(), content.size()));
        fs_.failNextSync();
        const Status s = stream->close();
        CPPUNIT_ASSERT_MESSAGE("close() succeeded although fsync failed", !s);
        stream.reset();
        CPPUNIT_ASSERT_EQUAL(size_t{0}, blobFiles());
        checkFailedCloseKeepsPartial(content);
    }

    void testFailingDirectoryFsyncAtCloseFailsCloseAndKeepsPartial() {
        const std::string content(777, 'd');
        ASSERT_OK(alice().makeDirectory("/outbox/bob"));
        std::unique_ptr<WriteStream> stream;
        ASSERT_OK(
            alice().openWrite("/outbox/bob/doc.pdf", WriteOptions{true, false, false}, stream));
        ASSERT_OK(stream->write(0, content.data(), content.size()));
        fs_.failNextSyncDirectory();
        const int before = fs_.syncDirectoryCalls();
        CPPUNIT_ASSERT_MESSAGE("close() succeeded although the directory fsync failed",
                               !stream->close());
        CPPUNIT_ASSERT(fs_.syncDirectoryCalls() > before);
        stream.reset();
        const int failedAt = fs_.syncDirectoryCalls();
        checkFailedCloseKeepsPartial(content);
        CPPUNIT_ASSERT_MESSAGE("the resumed close acknowledged without a directory fsync",
                               fs_.syncDirectoryCalls() > failedAt);
    }

    void testFailingWriteReportsIoErrorAndUploadGoesOn() {
        const std::string content = "0123456789";
        std::unique_ptr<WriteStream> stream;
        ASSERT_OK(
            alice().openWrite("/files/full-disk.txt", WriteOptions{true, false, false}, stream));
        ASSERT_OK(stream->write(0, content.data(), 4));
        fs_.failNextWrite();
        ASSERT_CODE(IoError, stream->write(4, content.data() + 4, 6));
        CPPUNIT_ASSERT_EQUAL(uint64_t{4}, stream->size());
        ASSERT_OK(stream->write(4, content.data() + 4, 6));
        ASSERT_OK(stream->close());
        CPPUNIT_ASSERT_EQUAL(content, readText(alice(), "/files/full-disk.txt"));
        std::string hash;
        ASSERT_OK(alice().contentHash("/files/full-disk.txt", hash));
        CPPUNIT_ASSERT_EQUAL(dad::Sha256::hex(content), hash);
    }

    void testNewDraftHasLinkFile() {
        ASSERT_OK(alice().makeDirectory("/outbox/bob"));
        const PackageRecord p = draft(alice_, "bob");
        CPPUNIT_ASSERT(p.pid.rfind("test-", 0) == 0);
        CPPUNIT_ASSERT(p.token.size() >= 22);  // at least 128 bits
        const std::string expected =
            "pid = " + p.pid + "\nlink = https://gw.example/p/" + p.token + "\n";
        CPPUNIT_ASSERT_EQUAL(expected, readText(alice(), "/outbox/bob/.link"));
        FileInfo info;
        ASSERT_OK(alice().stat("/outbox/bob/.link", info));
        CPPUNIT_ASSERT_EQUAL(uint64_t{expected.size()}, info.size);
        CPPUNIT_ASSERT(!info.writable);
        CPPUNIT_ASSERT(has(names(alice(), "/outbox/bob"), ".link"));
        ASSERT_CODE(PermissionDenied, write(alice(), "/outbox/bob/.link", "pid = forged\n"));
        CPPUNIT_ASSERT_EQUAL(expected, readText(alice(), "/outbox/bob/.link"));
        CPPUNIT_ASSERT((names(alice(), "/outbox") == std::vector<std::string>{"bob"}));
    }

    void testManifestWithUnknownKeyFailsAtCloseAndLeavesNoPartial() {
        ASSERT_OK(alice().makeDirectory("/outbox/bob"));
        const Status s = write(alice(), "/outbox/bob/.dad", "to = bob\n# note\ncolour = red\n");
        ASSERT_CODE(InvalidArgument, s);
        CPPUNIT_ASSERT_EQUAL(std::string(".dad line 3: unknown key 'colour'"), s.message());
        FileInfo info;
        ASSERT_CODE(NotFound, alice().stat("/outbox/bob/.dad", info));
        int64_t unfinished = -1;
        ASSERT_OK(gateway_->catalog().countUploadsUnder(draft(alice_, "bob").rootNode, unfinished));
        CPPUNIT_ASSERT_EQUAL(int64_t{0}, unfinished);
        CPPUNIT_ASSERT_EQUAL(size_t{0}, uploadFiles());
        CPPUNIT_ASSERT(!has(names(alice(), "/outbox/bob"), ".dad"));

        // A good manifest is kept and its settings reach the package.
        ASSERT_OK(write(alice(), "/outbox/bob/.dad", "to = bob\nmessage = see attached\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("see attached"), draft(alice_, "bob").message);
    }

    void testSendingDeliversToInboxAndReadingRecordsDownload() {
        const std::string content = "the quarterly report";
        const std::string name = sendToBob({{"report.txt", content}});
        CPPUNIT_ASSERT(names(alice(), "/outbox").empty());
        CPPUNIT_ASSERT((names(alice(), "/sent") == std::vector<std::string>{"bob"}));
        const std::vector<std::string> sent = names(alice(), "/sent/bob");
        CPPUNIT_ASSERT(has(sent, "report.txt"));
        CPPUNIT_ASSERT(has(sent, ".status"));
        CPPUNIT_ASSERT((names(bob(), "/inbox") == std::vector<std::string>{name}));
        const std::vector<std::string> received = names(bob(), "/inbox/" + name);
        CPPUNIT_ASSERT(has(received, "report.txt"));
        CPPUNIT_ASSERT(has(received, "reply"));
        CPPUNIT_ASSERT(!has(received, ".link"));

        const PackageRecord p = inbox(bob_, name);
        CPPUNIT_ASSERT_EQUAL(std::string("sent"), p.state);
        std::vector<dad::DownloadRecord> downloads;
        ASSERT_OK(gateway_->catalog().listDownloads(p.id, downloads));
        CPPUNIT_ASSERT(downloads.empty());

        CPPUNIT_ASSERT_EQUAL(content, readText(bob(), "/inbox/" + name + "/report.txt"));
        ASSERT_OK(gateway_->catalog().listDownloads(p.id, downloads));
        CPPUNIT_ASSERT_EQUAL(size_t{1}, downloads.size());
        CPPUNIT_ASSERT_EQUAL(std::string("bob"), downloads[0].accountName);
        CPPUNIT_ASSERT(downloads[0].complete);
        CPPUNIT_ASSERT_EQUAL(uint64_t{content.size()}, downloads[0].bytes);
        CPPUNIT_ASSERT_EQUAL(std::string("test"), downloads[0].protocol);
        CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), downloads[0].remoteAddress);
        // The sender reading her own sent copy is not a download.
        CPPUNIT_ASSERT_EQUAL(content, readText(alice(), "/sent/bob/report.txt"));
        ASSERT_OK(gateway_->catalog().listDownloads(p.id, downloads));
        CPPUNIT_ASSERT_EQUAL(size_t{1}, downloads.size());
        CPPUNIT_ASSERT(readText(alice(), "/sent/bob/.status").find("bob") != std::string::npos);
    }

    void testRecipientCannotChangeInbox() {
        const std::string name = sendToBob({{"report.txt", "read only"}});
        const std::string dir = "/inbox/" + name;
        ASSERT_CODE(PermissionDenied, write(bob(), dir + "/report.txt", "changed"));
        ASSERT_CODE(PermissionDenied, write(bob(), dir + "/new.txt", "added"));
        ASSERT_CODE(PermissionDenied, bob().makeDirectory(dir + "/folder"));
        ASSERT_CODE(PermissionDenied, bob().rename(dir + "/report.txt", dir + "/x.txt", false));
        ASSERT_CODE(PermissionDenied, write(alice(), "/sent/bob/report.txt", "changed"));
        CPPUNIT_ASSERT_EQUAL(std::string("read only"), readText(bob(), dir + "/report.txt"));
        CPPUNIT_ASSERT((names(bob(), dir) == std::vector<std::string>{"reply", "report.txt"}));
    }

    void testRemovingFromTheInboxHidesItThere() {
        const std::string name = sendToBob({{"report.txt", "kept"}});
        const std::string dir = "/inbox/" + name;
        // A package's files go together: removing one removes it from the inbox.
        ASSERT_OK(bob().removeFile(dir + "/report.txt"));
        CPPUNIT_ASSERT(names(bob(), "/inbox").empty());
        // Its folder stays reachable, empty, so a recursive delete finishes.
        CPPUNIT_ASSERT(names(bob(), dir).empty());
        std::string content;
        ASSERT_CODE(NotFound, read(bob(), dir + "/report.txt", content));
        ASSERT_OK(bob().removeFile(dir + "/report.txt"));
        ASSERT_OK(bob().removeDirectory(dir));
        CPPUNIT_ASSERT(names(bob(), "/inbox").empty());
        CPPUNIT_ASSERT_EQUAL(std::string("sent"), sentPackage("bob").state);
        CPPUNIT_ASSERT(readText(alice(), "/sent/bob/.status").find("removed from their inbox") !=
                       std::string::npos);
    }

    void testRemovingFromSentWithdrawsThePackageWhole() {
        const std::string name = sendToBob({{"a.txt", "first"}, {"b.txt", "second"}});
        ASSERT_OK(alice().removeFile("/sent/bob/a.txt"));
        const PackageRecord p = sentPackage("bob");
        CPPUNIT_ASSERT_EQUAL(std::string("withdrawn"), p.state);
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), p.withdrawnBy);
        CPPUNIT_ASSERT(names(bob(), "/inbox").empty());
        // What it held went with it: removing the rest, then its folder, is Ok.
        ASSERT_OK(alice().removeFile("/sent/bob/b.txt"));
        ASSERT_OK(alice().removeDirectory("/sent/bob"));
        // It leaves /sent; its folder stays reachable, empty, and the tracking stays.
        CPPUNIT_ASSERT(names(alice(), "/sent").empty());
        CPPUNIT_ASSERT(names(alice(), "/sent/bob").empty());
        std::string report;
        ASSERT_OK(dad::PackageReport(gateway_->catalog(), "").write(sentPackage("bob"), report));
        CPPUNIT_ASSERT(report.find("state: withdrawn") != std::string::npos);
        std::unique_ptr<ReadStream> stream;
        ASSERT_CODE(NotFound, bob().openRead("/inbox/" + name + "/b.txt", stream));
    }

    void testSendingWithOpenUploadIsBusy() {
        ASSERT_OK(alice().makeDirectory("/outbox/bob"));
        ASSERT_OK(write(alice(), "/outbox/bob/done.txt", "done"));
        std::unique_ptr<WriteStream> stream;
        ASSERT_OK(
            alice().openWrite("/outbox/bob/open.txt", WriteOptions{true, false, false}, stream));
        ASSERT_OK(stream->write(0, "half", 4));
        ASSERT_CODE(Busy, alice().rename("/outbox/bob", "/sent/bob", false));
        CPPUNIT_ASSERT(names(bob(), "/inbox").empty());
        CPPUNIT_ASSERT_EQUAL(std::string("draft"), draft(alice_, "bob").state);
        ASSERT_OK(stream->close());
        ASSERT_OK(alice().rename("/outbox/bob", "/sent/bob", false));
        CPPUNIT_ASSERT_EQUAL(std::string("half"), readText(bob(), "/inbox/alice-bob/open.txt"));
    }

    void testSendingWithoutRecipientFails() {
        ASSERT_OK(alice().makeDirectory("/outbox/holiday photos"));
        ASSERT_OK(write(alice(), "/outbox/holiday photos/a.jpg", "jpeg"));
        const Status s = alice().rename("/outbox/holiday photos", "/sent", false);
        ASSERT_CODE(InvalidArgument, s);
        CPPUNIT_ASSERT(s.message().find("no recipients") != std::string::npos);
        CPPUNIT_ASSERT(names(alice(), "/sent").empty());
        CPPUNIT_ASSERT((names(alice(), "/outbox") == std::vector<std::string>{"holiday photos"}));
        // Naming a recipient in the manifest makes it sendable.
        ASSERT_OK(write(alice(), "/outbox/holiday photos/.dad", "to = BOB@example.com\n"));
        ASSERT_OK(alice().rename("/outbox/holiday photos", "/sent", false));
        CPPUNIT_ASSERT((names(alice(), "/sent") == std::vector<std::string>{"holiday photos"}));
        CPPUNIT_ASSERT(
            (names(bob(), "/inbox") == std::vector<std::string>{"alice-holiday photos"}));
    }

    void testReplyBecomesPackageReturnedToSender() {
        const std::string name = sendToBob({{"question.txt", "what do you think?"}});
        const PackageRecord original = inbox(bob_, name);
        ASSERT_OK(write(bob(), "/inbox/" + name + "/reply/answer.txt", "looks good"));
        CPPUNIT_ASSERT(
            (names(bob(), "/inbox/" + name + "/reply") == std::vector<std::string>{"answer.txt"}));
        CPPUNIT_ASSERT((names(alice(), "/inbox") == std::vector<std::string>{"bob-re-bob"}));
        CPPUNIT_ASSERT_EQUAL(std::string("looks good"),
                             readText(alice(), "/inbox/bob-re-bob/answer.txt"));
        const PackageRecord reply = inbox(alice_, "bob-re-bob");
        CPPUNIT_ASSERT(reply.returnOf.has_value());
        CPPUNIT_ASSERT_EQUAL(original.id, *reply.returnOf);
        CPPUNIT_ASSERT_EQUAL(bob_.id, reply.senderId);
        // A second returned file goes into the same reply package.
        ASSERT_OK(write(bob(), "/inbox/" + name + "/reply/more.txt", "and more"));
        CPPUNIT_ASSERT((names(alice(), "/inbox") == std::vector<std::string>{"bob-re-bob"}));
        CPPUNIT_ASSERT_EQUAL(std::string("and more"),
                             readText(alice(), "/inbox/bob-re-bob/more.txt"));
    }

    void testMaxDownloadsRefusesSecondCompleteRead() {
        const std::string content = "only once, please";
        const std::string name = sendToBob(
            {{".dad", "max_downloads = 1\n"}, {"secret.txt", content}, {"other.txt", "other"}});
        const std::string path = "/inbox/" + name + "/secret.txt";
        const int64_t packageId = inbox(bob_, name).id;
        CPPUNIT_ASSERT(!has(names(bob(), "/inbox/" + name), ".dad"));
        {
            // An interrupted read does not use up the download.
            std::unique_ptr<ReadStream> stream;
            ASSERT_OK(bob().openRead(path, stream));
            char buffer[4];
            size_t got = 0;
            ASSERT_OK(stream->read(0, buffer, sizeof buffer, got));
            ASSERT_OK(stream->close());
        }
        CPPUNIT_ASSERT_EQUAL(content, readText(bob(), path));
        std::string again;
        ASSERT_CODE(PermissionDenied, read(bob(), path, again));
        CPPUNIT_ASSERT(again.empty());
        std::vector<dad::DownloadRecord> downloads;
        ASSERT_OK(gateway_->catalog().listDownloads(packageId, downloads));
        CPPUNIT_ASSERT_EQUAL(size_t{2}, downloads.size());
        CPPUNIT_ASSERT(!downloads[0].complete);
        CPPUNIT_ASSERT(downloads[1].complete);

        // Once every file has had its downloads the package expires for bob.
        CPPUNIT_ASSERT_EQUAL(std::string("other"),
                             readText(bob(), "/inbox/" + name + "/other.txt"));
        ASSERT_CODE(NotFound, read(bob(), path, again));
        CPPUNIT_ASSERT(again.empty());
        CPPUNIT_ASSERT(names(bob(), "/inbox").empty());
        PackageRecord p;
        ASSERT_OK(gateway_->catalog().findPackage(packageId, p));
        CPPUNIT_ASSERT_EQUAL(std::string("expired"), p.state);
    }

    void testQuotaRefusesWriteBeyondIt() {
        createAccount("carol", 1000);
        std::unique_ptr<Session> carol = openSession("carol");
        ASSERT_CODE(QuotaExceeded, write(*carol, "/files/big.bin", std::string(2000, 'q')));
        FileInfo info;
        std::string hash;
        ASSERT_CODE(NotFound, carol->contentHash("/files/big.bin", hash));
        ASSERT_OK(write(*carol, "/files/small.bin", std::string(600, 's')));
        ASSERT_CODE(QuotaExceeded, write(*carol, "/files/second.bin", std::string(600, 't')));
        dad::SpaceInfo space;
        ASSERT_OK(carol->spaceInfo(space));
        CPPUNIT_ASSERT_EQUAL(uint64_t{1000}, space.totalBytes);
        CPPUNIT_ASSERT_EQUAL(uint64_t{400}, space.freeBytes);
        // Others are not limited by carol's quota.
        ASSERT_OK(write(alice(), "/files/big.bin", std::string(2000, 'q')));
    }

    void testCopyFileReferencesSameBlob() {
        const std::string content(4096, 'c');
        ASSERT_OK(write(alice(), "/files/a.bin", content));
        ASSERT_OK(alice().copyFile("/files/a.bin", "/files/b.bin", false));
        CPPUNIT_ASSERT(readText(alice(), "/files/b.bin") == content);
        CPPUNIT_ASSERT_EQUAL(size_t{1}, blobFiles());
        std::optional<dad::BlobRecord> blob;
        ASSERT_OK(gateway_->catalog().findBlob(dad::Sha256::hex(content), blob));
        CPPUNIT_ASSERT(blob.has_value());
        CPPUNIT_ASSERT_EQUAL(int64_t{2}, blob->refcount);
        ASSERT_CODE(Exists, alice().copyFile("/files/a.bin", "/files/b.bin", false));
        // The same content uploaded by someone else is stored once too.
        ASSERT_OK(write(bob(), "/files/mine.bin", content));
        CPPUNIT_ASSERT_EQUAL(size_t{1}, blobFiles());
        ASSERT_OK(alice().removeFile("/files/a.bin"));
        CPPUNIT_ASSERT(readText(alice(), "/files/b.bin") == content);
    }

    void testContentHashIsSha256OfContent() {
        const std::string content = "hash me";
        ASSERT_OK(write(alice(), "/files/h.txt", content));
        std::string hash;
        ASSERT_OK(alice().contentHash("/files/h.txt", hash));
        CPPUNIT_ASSERT_EQUAL(dad::Sha256::hex(content), hash);
        CPPUNIT_ASSERT_EQUAL(size_t{64}, hash.size());
        // Identical content has the same hash wherever it is.
        ASSERT_OK(write(bob(), "/files/other-name.txt", content));
        std::string bobs;
        ASSERT_OK(bob().contentHash("/files/other-name.txt", bobs));
        CPPUNIT_ASSERT_EQUAL(hash, bobs);
        ASSERT_CODE(NotFound, alice().contentHash("/files", hash));
    }

    void testListAndStatCarryTheContentHash() {
        ASSERT_OK(alice().makeDirectory("/files/dir"));
        ASSERT_OK(write(alice(), "/files/dir/a.txt", "alpha"));
        ASSERT_OK(write(alice(), "/files/dir/b.txt", "beta"));
        ASSERT_OK(alice().makeDirectory("/files/dir/sub"));
        {  // an unfinished upload: listed to its uploader, with no hash yet
            std::unique_ptr<WriteStream> stream;
            ASSERT_OK(alice().openWrite("/files/dir/partial.bin", WriteOptions{true, false, false},
                                        stream));
            ASSERT_OK(stream->write(0, "part", 4));
            stream->abandon();
        }
        std::vector<FileInfo> entries;
        ASSERT_OK(alice().list("/files/dir", entries));
        std::map<std::string, std::string> hashes;
        for (const FileInfo& e : entries)
            hashes[e.name] = e.sha256;
        CPPUNIT_ASSERT_EQUAL(size_t{4}, hashes.size());
        CPPUNIT_ASSERT_EQUAL(dad::Sha256::hex("alpha"), hashes["a.txt"]);
        CPPUNIT_ASSERT_EQUAL(dad::Sha256::hex("beta"), hashes["b.txt"]);
        CPPUNIT_ASSERT_EQUAL(std::string(), hashes["sub"]);
        CPPUNIT_ASSERT_EQUAL(std::string(), hashes["partial.bin"]);
        // stat() and contentHash() say the same.
        FileInfo info;
        ASSERT_OK(alice().stat("/files/dir/a.txt", info));
        std::string hash;
        ASSERT_OK(alice().contentHash("/files/dir/a.txt", hash));
        CPPUNIT_ASSERT_EQUAL(hash, info.sha256);
        ASSERT_OK(alice().stat("/files/dir", info));
        CPPUNIT_ASSERT(info.sha256.empty());
        ASSERT_OK(alice().stat("/files/dir/partial.bin", info));
        CPPUNIT_ASSERT(info.sha256.empty());
        // Replaced content: the listing follows.
        ASSERT_OK(write(alice(), "/files/dir/a.txt", "changed"));
        ASSERT_OK(alice().list("/files/dir", entries));
        for (const FileInfo& e : entries) {
            if (e.name == "a.txt") CPPUNIT_ASSERT_EQUAL(dad::Sha256::hex("changed"), e.sha256);
        }
    }

    void testDeadPropertiesOfChildrenInOneLook() {
        ASSERT_OK(alice().makeDirectory("/files/p"));
        ASSERT_OK(write(alice(), "/files/p/one.txt", "1"));
        ASSERT_OK(write(alice(), "/files/p/two.txt", "2"));
        ASSERT_OK(alice().makeDirectory("/files/p/sub"));
        ASSERT_OK(write(alice(), "/files/p/sub/deep.txt", "3"));
        ASSERT_OK(alice().makeDirectory("/outbox/draft"));
        ASSERT_OK(alice().makeDirectory("/outbox/other"));
        std::unique_ptr<dad::DeadProperties> props;
        ASSERT_OK(dad::DeadProperties::open(*gateway_, "alice", props));
        auto set = [&](const std::string& path, const std::string& name, const std::string& v) {
            ASSERT_OK(props->change(path, {{{"urn:z", name, v}, true}}));
        };
        set("/files/p/one.txt", "color", "red");
        set("/files/p/one.txt", "a-first", "x");
        set("/files/p/sub", "color", "green");
        set("/files/p/sub/deep.txt", "color", "not a child");
        set("/files/p", "color", "the folder itself");
        set("/outbox/draft", "color", "draft");

        std::map<std::string, std::vector<dad::DeadProperty>> byName;
        ASSERT_OK(props->listChildren("/files/p", {"one.txt", "two.txt", "sub"}, byName));
        CPPUNIT_ASSERT_EQUAL(size_t{2}, byName.size());
        CPPUNIT_ASSERT_EQUAL(size_t{2}, byName["one.txt"].size());
        // As list() gives them: ordered by namespace and name.
        std::vector<dad::DeadProperty> one;
        ASSERT_OK(props->list("/files/p/one.txt", one));
        for (size_t i = 0; i < one.size(); ++i) {
            CPPUNIT_ASSERT_EQUAL(one[i].name, byName["one.txt"][i].name);
            CPPUNIT_ASSERT_EQUAL(one[i].value, byName["one.txt"][i].value);
        }
        CPPUNIT_ASSERT_EQUAL(std::string("green"), byName["sub"].at(0).value);
        CPPUNIT_ASSERT_EQUAL(size_t{0}, byName.count("two.txt"));
        // An area folder lists packages: each draft's own root.
        ASSERT_OK(props->listChildren("/outbox", {"draft", "other"}, byName));
        CPPUNIT_ASSERT_EQUAL(size_t{1}, byName.size());
        CPPUNIT_ASSERT_EQUAL(std::string("draft"), byName["draft"].at(0).value);
    }

    void testDotDotCannotEscapeNamespace() {
        FileInfo info;
        // "/files/../../etc" is "/etc" of the namespace, which does not exist.
        ASSERT_CODE(NotFound, alice().stat("/files/../../etc", info));
        ASSERT_CODE(NotFound, alice().stat("/files/../../etc/passwd", info));
        std::string content;
        ASSERT_CODE(NotFound, read(alice(), "/files/../../etc/passwd", content));
        CPPUNIT_ASSERT((names(alice(), "/files/../../..") == names(alice(), "/")));
        CPPUNIT_ASSERT(!write(alice(), "/../../../tmp/escaped.txt", "x"));
        CPPUNIT_ASSERT(!std::filesystem::exists("/tmp/escaped.txt"));
        // Inside the namespace ".." works as it should.
        ASSERT_OK(write(alice(), "/files/a/../../files/x.txt", "inside"));
        CPPUNIT_ASSERT_EQUAL(std::string("inside"), readText(alice(), "/files/x.txt"));
        ASSERT_OK(alice().stat("/outbox/../files/x.txt", info));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(GatewaySessionTest);
