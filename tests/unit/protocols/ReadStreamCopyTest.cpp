// copyReadStream: a GET body from a ReadStream, in chunks; a failed read, a
// file that ends early and a client that is gone all cut the reply short.
#include <cppunit/extensions/HelperMacros.h>

#include <stdexcept>
#include <string>

#include "ReadStreamCopy.h"

using dad::ReadStream;
using dad::Status;

namespace {

// A file in memory; a read at or past `failAt` fails.
class MemoryReadStream : public ReadStream {
public:
    explicit MemoryReadStream(std::string content, uint64_t failAt = UINT64_MAX)
        : content_(std::move(content)), failAt_(failAt) {}

    Status read(uint64_t offset, char* buffer, size_t length, size_t& got) override {
        got = 0;
        if (offset >= failAt_) return Status::ioError("the disk failed");
        ++reads;
        if (offset >= content_.size()) return Status::ok();
        got = std::min<size_t>(length, content_.size() - offset);
        content_.copy(buffer, got, offset);
        return Status::ok();
    }
    uint64_t size() const override { return content_.size(); }
    Status close() override { return Status::ok(); }

    int reads = 0;

private:
    std::string content_;
    uint64_t failAt_;
};

}  // namespace

class ReadStreamCopyTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ReadStreamCopyTest);
    CPPUNIT_TEST(testCopiesTheRangeInChunks);
    CPPUNIT_TEST(testEmptyRangeReadsNothing);
    CPPUNIT_TEST(testFailedReadCutsTheReplyShort);
    CPPUNIT_TEST(testFileEndingEarlyCutsTheReplyShort);
    CPPUNIT_TEST(testClientGoneStopsTheCopy);
    CPPUNIT_TEST_SUITE_END();

    // What copyReadStream of [offset, offset + length) wrote, 4 bytes at a
    // time; "THROWN:" in front when it threw.
    static std::string copied(MemoryReadStream& stream, uint64_t offset, uint64_t length) {
        std::string out;
        try {
            dad::copyReadStream(stream, offset, length, 4, [&](const char* data, size_t size) {
                CPPUNIT_ASSERT(size <= 4);
                out.append(data, size);
                return true;
            });
        } catch (const std::runtime_error&) {
            return "THROWN:" + out;
        }
        return out;
    }

public:
    void testCopiesTheRangeInChunks() {
        MemoryReadStream stream("0123456789abcdef");
        CPPUNIT_ASSERT_EQUAL(std::string("23456789abc"), copied(stream, 2, 11));
        CPPUNIT_ASSERT_EQUAL(3, stream.reads);
    }

    void testEmptyRangeReadsNothing() {
        MemoryReadStream stream("");
        CPPUNIT_ASSERT_EQUAL(std::string(""), copied(stream, 0, 0));
        CPPUNIT_ASSERT_EQUAL(0, stream.reads);
    }

    void testFailedReadCutsTheReplyShort() {
        MemoryReadStream stream("0123456789", 4);
        CPPUNIT_ASSERT_EQUAL(std::string("THROWN:0123"), copied(stream, 0, 10));
    }

    void testFileEndingEarlyCutsTheReplyShort() {
        MemoryReadStream stream("012345");  // shorter than the range asked for
        CPPUNIT_ASSERT_EQUAL(std::string("THROWN:012345"), copied(stream, 0, 10));
    }

    void testClientGoneStopsTheCopy() {
        MemoryReadStream stream("0123456789");
        int writes = 0;
        CPPUNIT_ASSERT_THROW(dad::copyReadStream(stream, 0, 10, 4,
                                                 [&](const char*, size_t) {
                                                     ++writes;
                                                     return false;
                                                 }),
                             std::runtime_error);
        CPPUNIT_ASSERT_EQUAL(1, writes);
        CPPUNIT_ASSERT_EQUAL(1, stream.reads);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ReadStreamCopyTest);
