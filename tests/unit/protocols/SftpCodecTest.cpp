#include <cppunit/extensions/HelperMacros.h>

#include "SftpCodec.h"
#include "SftpStatusMap.h"

using dad::SftpAttrs;
using dad::SftpReader;
using dad::SftpWriter;
namespace sftp = dad::sftp;

class SftpCodecTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SftpCodecTest);
    CPPUNIT_TEST(testIntegersRoundTripBigEndian);
    CPPUNIT_TEST(testStringRoundTripKeepsNulBytes);
    CPPUNIT_TEST(testStringViewPointsIntoPayload);
    CPPUNIT_TEST(testUint8PastEndFails);
    CPPUNIT_TEST(testUint32PastEndFails);
    CPPUNIT_TEST(testUint64PastEndFails);
    CPPUNIT_TEST(testStringLengthPastEndFails);
    CPPUNIT_TEST(testHugeStringLengthFailsWithoutOverflow);
    CPPUNIT_TEST(testFailureIsSticky);
    CPPUNIT_TEST(testAttrsRoundTripAllFlags);
    CPPUNIT_TEST(testAttrsWithNoFlagsIsFourBytes);
    CPPUNIT_TEST(testAttrsEachTruncationFails);
    CPPUNIT_TEST(testAttrsLyingExtendedCountFails);
    CPPUNIT_TEST(testWriterPatchesPacketLength);
    CPPUNIT_TEST(testWriterCancelDropsPacket);
    CPPUNIT_TEST(testWriterSpaceThenShrink);
    CPPUNIT_TEST(testStatusMapTable);
    CPPUNIT_TEST_SUITE_END();

    static SftpAttrs fullAttrs() {
        SftpAttrs a;
        a.flags = sftp::kAttrSize | sftp::kAttrUidGid | sftp::kAttrPermissions |
                  sftp::kAttrAcModTime | sftp::kAttrExtended;
        a.size = 0x0102030405060708ULL;
        a.uid = 1000;
        a.gid = 1001;
        a.permissions = sftp::kModeRegular | 0644;
        a.atime = 1700000000;
        a.mtime = 1700000001;
        a.extended = {{"a@x", "1"}, {"b@x", std::string("\0z", 2)}};
        return a;
    }

public:
    void testIntegersRoundTripBigEndian() {
        std::string buf;
        SftpWriter w(buf);
        w.uint8(0xAB);
        w.uint32(0x01020304);
        w.uint64(0xFFEEDDCCBBAA9988ULL);
        CPPUNIT_ASSERT_EQUAL(size_t(13), buf.size());
        CPPUNIT_ASSERT_EQUAL(std::string("\x01\x02\x03\x04", 4), buf.substr(1, 4));
        SftpReader r(buf.data(), buf.size());
        uint8_t a;
        uint32_t b;
        uint64_t c;
        CPPUNIT_ASSERT(r.readUint8(a) && r.readUint32(b) && r.readUint64(c));
        CPPUNIT_ASSERT_EQUAL(uint8_t(0xAB), a);
        CPPUNIT_ASSERT_EQUAL(uint32_t(0x01020304), b);
        CPPUNIT_ASSERT_EQUAL(uint64_t(0xFFEEDDCCBBAA9988ULL), c);
        CPPUNIT_ASSERT_EQUAL(size_t(0), r.remaining());
    }
    void testStringRoundTripKeepsNulBytes() {
        std::string buf;
        SftpWriter w(buf);
        const std::string value("a\0b", 3);
        w.string(value);
        w.string("");
        SftpReader r(buf.data(), buf.size());
        std::string got, empty = "x";
        CPPUNIT_ASSERT(r.readString(got) && r.readString(empty));
        CPPUNIT_ASSERT(got == value);
        CPPUNIT_ASSERT(empty.empty());
    }
    void testStringViewPointsIntoPayload() {
        const std::string buf("\0\0\0\x03xyz", 7);
        SftpReader r(buf.data(), buf.size());
        const char* p = nullptr;
        size_t n = 0;
        CPPUNIT_ASSERT(r.readStringView(p, n));
        CPPUNIT_ASSERT(p == buf.data() + 4);
        CPPUNIT_ASSERT_EQUAL(size_t(3), n);
    }
    void testUint8PastEndFails() {
        SftpReader r("", 0);
        uint8_t v;
        CPPUNIT_ASSERT(!r.readUint8(v));
        CPPUNIT_ASSERT(r.failed());
    }
    void testUint32PastEndFails() {
        SftpReader r("\0\0\0", 3);
        uint32_t v;
        CPPUNIT_ASSERT(!r.readUint32(v));
    }
    void testUint64PastEndFails() {
        SftpReader r("\0\0\0\0\0\0\0", 7);
        uint64_t v;
        CPPUNIT_ASSERT(!r.readUint64(v));
    }
    void testStringLengthPastEndFails() {
        const std::string buf(
            "\0\0\0\x05"
            "abcd",
            8);
        SftpReader r(buf.data(), buf.size());
        std::string s;
        CPPUNIT_ASSERT(!r.readString(s));
        CPPUNIT_ASSERT_EQUAL(size_t(0), r.remaining());
    }
    void testHugeStringLengthFailsWithoutOverflow() {
        const std::string buf(
            "\xff\xff\xff\xff"
            "abcd",
            8);
        SftpReader r(buf.data(), buf.size());
        const char* p;
        size_t n;
        CPPUNIT_ASSERT(!r.readStringView(p, n));
    }
    void testFailureIsSticky() {
        const std::string buf("\0\0", 2);
        SftpReader r(buf.data(), buf.size());
        uint32_t v;
        uint8_t b;
        CPPUNIT_ASSERT(!r.readUint32(v));
        CPPUNIT_ASSERT(!r.readUint8(b));  // the two bytes are there, but the reader failed
    }
    void testAttrsRoundTripAllFlags() {
        std::string buf;
        SftpWriter(buf).attrs(fullAttrs());
        SftpReader r(buf.data(), buf.size());
        SftpAttrs got;
        CPPUNIT_ASSERT(r.readAttrs(got));
        const SftpAttrs want = fullAttrs();
        CPPUNIT_ASSERT_EQUAL(want.flags, got.flags);
        CPPUNIT_ASSERT_EQUAL(want.size, got.size);
        CPPUNIT_ASSERT_EQUAL(want.uid, got.uid);
        CPPUNIT_ASSERT_EQUAL(want.gid, got.gid);
        CPPUNIT_ASSERT_EQUAL(want.permissions, got.permissions);
        CPPUNIT_ASSERT_EQUAL(want.atime, got.atime);
        CPPUNIT_ASSERT_EQUAL(want.mtime, got.mtime);
        CPPUNIT_ASSERT(want.extended == got.extended);
        CPPUNIT_ASSERT_EQUAL(size_t(0), r.remaining());
    }
    void testAttrsWithNoFlagsIsFourBytes() {
        std::string buf;
        SftpWriter(buf).attrs(SftpAttrs());
        CPPUNIT_ASSERT_EQUAL(std::string(4, '\0'), buf);
    }
    void testAttrsEachTruncationFails() {
        std::string buf;
        SftpWriter(buf).attrs(fullAttrs());
        for (size_t cut = 0; cut < buf.size(); ++cut) {
            SftpReader r(buf.data(), cut);
            SftpAttrs got;
            CPPUNIT_ASSERT_MESSAGE("cut at " + std::to_string(cut), !r.readAttrs(got));
        }
    }
    void testAttrsLyingExtendedCountFails() {
        std::string buf;
        SftpWriter w(buf);
        w.uint32(sftp::kAttrExtended);
        w.uint32(0xFFFFFFFF);
        w.string("a");
        w.string("b");
        SftpReader r(buf.data(), buf.size());
        SftpAttrs got;
        CPPUNIT_ASSERT(!r.readAttrs(got));
    }
    void testWriterPatchesPacketLength() {
        std::string buf = "xx";  // packets append after what is there
        SftpWriter w(buf);
        w.begin(sftp::kStatus);
        w.uint32(7);
        w.finish();
        CPPUNIT_ASSERT_EQUAL(std::string("xx\0\0\0\x05\x65\0\0\0\x07", 11), buf);
    }
    void testWriterCancelDropsPacket() {
        std::string buf = "keep";
        SftpWriter w(buf);
        w.begin(sftp::kData);
        w.string("partial");
        w.cancel();
        CPPUNIT_ASSERT_EQUAL(std::string("keep"), buf);
    }
    void testWriterSpaceThenShrink() {
        std::string buf;
        SftpWriter w(buf);
        w.begin(sftp::kData);
        const size_t lengthAt = w.position();
        w.uint32(0);
        char* p = w.space(100);
        p[0] = 'h';
        p[1] = 'i';
        w.shrinkTo(lengthAt + 4 + 2);
        w.patchUint32(lengthAt, 2);
        w.finish();
        CPPUNIT_ASSERT_EQUAL(std::string("\0\0\0\x07\x67\0\0\0\x02hi", 11), buf);
    }
    void testStatusMapTable() {
        using dad::StatusCode;
        CPPUNIT_ASSERT_EQUAL(uint32_t(sftp::kOk), dad::sftpStatusCode(StatusCode::Ok));
        CPPUNIT_ASSERT_EQUAL(uint32_t(sftp::kNoSuchFile),
                             dad::sftpStatusCode(StatusCode::NotFound));
        CPPUNIT_ASSERT_EQUAL(uint32_t(sftp::kPermissionDenied),
                             dad::sftpStatusCode(StatusCode::PermissionDenied));
        CPPUNIT_ASSERT_EQUAL(uint32_t(sftp::kOpUnsupported),
                             dad::sftpStatusCode(StatusCode::Unsupported));
        for (StatusCode c :
             {StatusCode::Exists, StatusCode::NotADirectory, StatusCode::IsADirectory,
              StatusCode::NotEmpty, StatusCode::InvalidArgument, StatusCode::QuotaExceeded,
              StatusCode::Busy, StatusCode::IoError, StatusCode::Failure}) {
            CPPUNIT_ASSERT_EQUAL(uint32_t(sftp::kFailure), dad::sftpStatusCode(c));
        }
        CPPUNIT_ASSERT_EQUAL(std::string("quota exceeded"),
                             dad::sftpStatusMessage(
                                 dad::Status::error(StatusCode::QuotaExceeded, "quota exceeded")));
        CPPUNIT_ASSERT_EQUAL(std::string("No such file"),
                             dad::sftpStatusMessage(dad::Status::notFound("")));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SftpCodecTest);
