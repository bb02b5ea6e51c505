#include <cppunit/extensions/HelperMacros.h>
#include <stdlib.h>
#include <unistd.h>

#include <random>

#include "BackgroundWriter.h"
#include "FaultyFileSystem.h"
#include "Sha256.h"

using dad::BackgroundWriter;

class BackgroundWriterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BackgroundWriterTest);
    CPPUNIT_TEST(testLargeSequentialUploadIsWrittenAndHashedInOrder);
    CPPUNIT_TEST(testSmallUploadIsWrittenWithoutAThread);
    CPPUNIT_TEST(testOutOfOrderWriteNeedsASecondPass);
    CPPUNIT_TEST(testWriteErrorOnTheThreadSurfacesOnDrain);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;
    std::string path_;
    dad::test::FaultyFileSystem fs_;
    int fd_ = -1;

    static std::string randomBytes(size_t n) {
        std::mt19937 rng(7);
        std::string s(n, '\0');
        for (char& c : s)
            c = static_cast<char>(rng());
        return s;
    }
    std::string fileContent() {
        std::string out(64 << 20, '\0');
        size_t got = 0;
        CPPUNIT_ASSERT(fs_.readAt(fd_, 0, out.data(), out.size(), got));
        out.resize(got);
        return out;
    }

public:
    void setUp() override {
        char templ[] = "/tmp/bgwriter-XXXXXX";
        dir_ = mkdtemp(templ);
        path_ = dir_ + "/upload";
        CPPUNIT_ASSERT(fs_.openForWrite(path_, true, fd_));
    }
    void tearDown() override {
        fs_.close(fd_);
        ::unlink(path_.c_str());
        ::rmdir(dir_.c_str());
    }

    void testLargeSequentialUploadIsWrittenAndHashedInOrder() {
        const std::string data = randomBytes(9 << 20);
        BackgroundWriter writer(fs_, fd_, true);
        for (size_t off = 0; off < data.size(); off += 255 * 1024) {
            const size_t n = std::min<size_t>(255 * 1024, data.size() - off);
            CPPUNIT_ASSERT(writer.write(off, data.data() + off, n));
        }
        CPPUNIT_ASSERT(writer.drain());
        CPPUNIT_ASSERT(writer.hashCovers(data.size()));
        CPPUNIT_ASSERT_EQUAL(dad::Sha256::hex(data), writer.finishHash());
        CPPUNIT_ASSERT(fileContent() == data);
    }
    void testSmallUploadIsWrittenWithoutAThread() {
        BackgroundWriter writer(fs_, fd_, true);
        CPPUNIT_ASSERT(writer.write(0, "hello", 5));
        // No drain needed: below the threshold the bytes are on the file at once.
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), fileContent());
        CPPUNIT_ASSERT(writer.hashCovers(5));
    }
    void testOutOfOrderWriteNeedsASecondPass() {
        BackgroundWriter writer(fs_, fd_, true);
        CPPUNIT_ASSERT(writer.write(5, "world", 5));
        CPPUNIT_ASSERT(writer.write(0, "hello", 5));
        CPPUNIT_ASSERT(writer.drain());
        CPPUNIT_ASSERT(!writer.hashCovers(10));
        CPPUNIT_ASSERT_EQUAL(std::string("helloworld"), fileContent());
    }
    void testWriteErrorOnTheThreadSurfacesOnDrain() {
        const std::string data = randomBytes(4 << 20);
        BackgroundWriter writer(fs_, fd_, true);
        CPPUNIT_ASSERT(writer.write(0, data.data(), 2 << 20));  // starts the thread next time
        fs_.failNextWrite();
        (void)writer.write(2 << 20, data.data() + (2 << 20), 2 << 20);
        dad::Status s = writer.drain();
        CPPUNIT_ASSERT(!s);
        CPPUNIT_ASSERT(s.message().find("cannot write") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(BackgroundWriterTest);
