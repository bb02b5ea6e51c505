#include <cppunit/extensions/HelperMacros.h>

#include <map>
#include <string>
#include <vector>

#include "PushFiles.h"

using dad::ContentSource;
using dad::ForwardPackage;
using dad::ForwardProgress;
using dad::ReadStream;
using dad::RemoteFiles;
using dad::Status;

namespace {

// A far server in memory: files by path, and what each upload asked for.
class MemoryRemote : public RemoteFiles {
public:
    std::map<std::string, std::string> files;
    std::vector<std::string> folders;
    std::vector<std::pair<std::string, uint64_t>> uploads;  // path, offset
    size_t failAfterBytes = SIZE_MAX;                       // a cut mid-upload

    Status makeDirectories(const std::string& path) override {
        folders.push_back(path);
        return Status::ok();
    }
    Status size(const std::string& path, std::optional<uint64_t>& bytes) override {
        auto found = files.find(path);
        if (found == files.end()) {
            bytes.reset();
        } else {
            bytes = found->second.size();
        }
        return Status::ok();
    }
    Status upload(const std::string& path, uint64_t offset, const Reader& read,
                  const Progress& progress) override {
        uploads.emplace_back(path, offset);
        std::string& file = files[path];
        file.resize(offset);
        char buffer[7];
        for (;;) {
            size_t got = 0;
            if (Status s = read(offset, buffer, sizeof buffer, got); !s) return s;
            if (got == 0) return Status::ok();
            if (file.size() + got > failAfterBytes) {
                file.append(buffer, failAfterBytes - file.size());
                return Status::ioError("cut");
            }
            file.append(buffer, got);
            offset += got;
            progress(offset);
        }
    }
    Status download(const std::string&, uint64_t, const Sink&) override {
        return Status::failure("not used");
    }
    void close() override {}
};

class StringStream : public ReadStream {
public:
    explicit StringStream(std::string text) : text_(std::move(text)) {}
    Status read(uint64_t offset, char* buffer, size_t length, size_t& got) override {
        got = offset >= text_.size() ? 0 : std::min(length, text_.size() - offset);
        if (got) text_.copy(buffer, got, offset);
        return Status::ok();
    }
    uint64_t size() const override { return text_.size(); }
    Status close() override { return Status::ok(); }

private:
    std::string text_;
};

class MemoryContent : public ContentSource {
public:
    std::map<std::string, std::string> blobs;
    Status open(const std::string& sha256, std::unique_ptr<ReadStream>& stream) override {
        stream = std::make_unique<StringStream>(blobs.at(sha256));
        return Status::ok();
    }
};

class LastProgress : public ForwardProgress {
public:
    uint64_t last = 0;
    void reached(uint64_t bytesDone) override { last = bytesDone; }
};

}  // namespace

class PushFilesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PushFilesTest);
    CPPUNIT_TEST(testLayoutIsFolderPidPath);
    CPPUNIT_TEST(testCompleteFileIsSkippedAndPartialOneResumed);
    CPPUNIT_TEST(testLongerRemoteFileIsWrittenAgain);
    CPPUNIT_TEST(testCutThenRetryResumesWhereItStopped);
    CPPUNIT_TEST(testRemoteFolderOfUrls);
    CPPUNIT_TEST_SUITE_END();

    ForwardPackage package_;
    MemoryContent content_;

public:
    void setUp() override {
        package_ = ForwardPackage();
        package_.pid = "local-P1";
        package_.files = {{"a.txt", 20, "h1"}, {"sub/deep/b.bin", 30, "h2"}};
        content_.blobs = {{"h1", std::string(20, 'a')}, {"h2", std::string(30, 'b')}};
    }

    void testLayoutIsFolderPidPath() {
        MemoryRemote remote;
        LastProgress progress;
        CPPUNIT_ASSERT(dad::pushFiles(remote, "in/box", package_, content_, progress));
        CPPUNIT_ASSERT_EQUAL(std::string(20, 'a'), remote.files["in/box/local-P1/a.txt"]);
        CPPUNIT_ASSERT_EQUAL(std::string(30, 'b'), remote.files["in/box/local-P1/sub/deep/b.bin"]);
        CPPUNIT_ASSERT_EQUAL(uint64_t{50}, progress.last);
    }
    void testCompleteFileIsSkippedAndPartialOneResumed() {
        MemoryRemote remote;
        remote.files["local-P1/a.txt"] = std::string(20, 'a');
        remote.files["local-P1/sub/deep/b.bin"] = std::string(12, 'b');
        LastProgress progress;
        CPPUNIT_ASSERT(dad::pushFiles(remote, "", package_, content_, progress));
        CPPUNIT_ASSERT_EQUAL(size_t{1}, remote.uploads.size());
        CPPUNIT_ASSERT_EQUAL(uint64_t{12}, remote.uploads[0].second);
        CPPUNIT_ASSERT_EQUAL(std::string(30, 'b'), remote.files["local-P1/sub/deep/b.bin"]);
    }
    void testLongerRemoteFileIsWrittenAgain() {
        MemoryRemote remote;
        remote.files["local-P1/a.txt"] = std::string(25, 'x');
        LastProgress progress;
        CPPUNIT_ASSERT(dad::pushFiles(remote, "", package_, content_, progress));
        CPPUNIT_ASSERT_EQUAL(uint64_t{0}, remote.uploads[0].second);
        CPPUNIT_ASSERT_EQUAL(std::string(20, 'a'), remote.files["local-P1/a.txt"]);
    }
    void testCutThenRetryResumesWhereItStopped() {
        MemoryRemote remote;
        remote.failAfterBytes = 9;
        LastProgress progress;
        CPPUNIT_ASSERT(!dad::pushFiles(remote, "", package_, content_, progress));
        CPPUNIT_ASSERT_EQUAL(size_t{9}, remote.files["local-P1/a.txt"].size());
        remote.failAfterBytes = SIZE_MAX;
        CPPUNIT_ASSERT(dad::pushFiles(remote, "", package_, content_, progress));
        CPPUNIT_ASSERT_EQUAL(uint64_t{9}, remote.uploads[1].second);
        CPPUNIT_ASSERT_EQUAL(std::string(20, 'a'), remote.files["local-P1/a.txt"]);
    }
    void testRemoteFolderOfUrls() {
        dad::Site site;
        site.type = "ftp";
        site.url = "ftp://h:21/in/box/";
        CPPUNIT_ASSERT_EQUAL(std::string("in/box/"), dad::remoteFolder(site));
        site.url = "ftp://h";
        CPPUNIT_ASSERT_EQUAL(std::string(""), dad::remoteFolder(site));
        site.type = "sftp";
        site.url = "sftp://h/srv/drop";
        CPPUNIT_ASSERT_EQUAL(std::string("/srv/drop"), dad::remoteFolder(site));
        site.url = "sftp://h/~/drop";
        CPPUNIT_ASSERT_EQUAL(std::string("drop"), dad::remoteFolder(site));
        site.url = "sftp://h/";
        CPPUNIT_ASSERT_EQUAL(std::string(""), dad::remoteFolder(site));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PushFilesTest);
