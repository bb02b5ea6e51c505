#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "MemorySession.h"
#include "SftpCodec.h"
#include "SftpEngine.h"
#include "SftpListing.h"

using dad::SftpAttrs;
using dad::SftpEngine;
using dad::SftpLimits;
using dad::SftpReader;
using dad::SftpWriter;
using dad::test::MemorySession;
namespace sftp = dad::sftp;

namespace {

// A request as a client would send it. init() has no request id.
class Packet {
public:
    Packet(uint8_t type, uint32_t id) {
        u8(type);
        u32(id);
    }
    static Packet init(uint32_t version) {
        Packet p;
        p.u8(sftp::kInit);
        p.u32(version);
        return p;
    }
    static Packet extended(uint32_t id, const std::string& name) {
        Packet p(sftp::kExtended, id);
        p.str(name);
        return p;
    }
    Packet& u8(uint8_t v) {
        SftpWriter(body_).uint8(v);
        return *this;
    }
    Packet& u32(uint32_t v) {
        SftpWriter(body_).uint32(v);
        return *this;
    }
    Packet& u64(uint64_t v) {
        SftpWriter(body_).uint64(v);
        return *this;
    }
    Packet& str(const std::string& v) {
        SftpWriter(body_).string(v);
        return *this;
    }
    Packet& attrs(const SftpAttrs& a) {
        SftpWriter(body_).attrs(a);
        return *this;
    }
    Packet& raw(const std::string& v) {
        body_ += v;
        return *this;
    }
    std::string bytes() const {
        std::string out;
        SftpWriter(out).uint32(static_cast<uint32_t>(body_.size()));
        return out + body_;
    }

private:
    Packet() = default;
    std::string body_;
};

struct Reply {
    uint8_t type = 0;
    std::string payload;  // after the type byte
    SftpReader reader() const { return SftpReader(payload.data(), payload.size()); }
    uint32_t id() const {
        uint32_t v = 0;
        SftpReader r = reader();
        r.readUint32(v);
        return v;
    }
};

// An engine over a MemorySession with the output captured.
struct Client {
    MemorySession session;
    std::string wire;
    size_t parsed = 0;
    int outputCalls = 0;
    bool outputOk = true;
    std::unique_ptr<SftpEngine> engine;

    explicit Client(SftpLimits limits = SftpLimits()) {
        engine = std::make_unique<SftpEngine>(
            session,
            [this](const char* data, size_t length) {
                wire.append(data, length);
                ++outputCalls;
                return outputOk;
            },
            limits);
    }

    bool feed(const std::string& bytes) { return engine->feed(bytes.data(), bytes.size()); }
    bool feed(const Packet& p) { return feed(p.bytes()); }

    std::vector<Reply> replies() {
        std::vector<Reply> out;
        while (wire.size() - parsed >= 4) {
            SftpReader r(wire.data() + parsed, 4);
            uint32_t length = 0;
            r.readUint32(length);
            CPPUNIT_ASSERT(length >= 1 && wire.size() - parsed - 4 >= length);
            Reply reply;
            reply.type = static_cast<uint8_t>(wire[parsed + 4]);
            reply.payload = wire.substr(parsed + 5, length - 1);
            out.push_back(reply);
            parsed += 4 + length;
        }
        CPPUNIT_ASSERT_EQUAL(parsed, wire.size());
        return out;
    }

    Reply request(const Packet& p) {
        CPPUNIT_ASSERT(feed(p));
        std::vector<Reply> r = replies();
        CPPUNIT_ASSERT_EQUAL(size_t(1), r.size());
        return r[0];
    }

    void init() {
        CPPUNIT_ASSERT(feed(Packet::init(3)));
        replies();
    }

    std::string open(const std::string& path, uint32_t flags, uint32_t id = 1) {
        Reply r = request(Packet(sftp::kOpen, id).str(path).u32(flags).attrs(SftpAttrs()));
        return handleOf(r);
    }

    static std::string handleOf(const Reply& r) {
        CPPUNIT_ASSERT_EQUAL(int(sftp::kHandle), int(r.type));
        SftpReader in = r.reader();
        uint32_t id;
        std::string handle;
        CPPUNIT_ASSERT(in.readUint32(id) && in.readString(handle));
        return handle;
    }
};

void assertStatus(const Reply& r, uint32_t id, uint32_t code, const std::string& message = "") {
    CPPUNIT_ASSERT_EQUAL(int(sftp::kStatus), int(r.type));
    SftpReader in = r.reader();
    uint32_t gotId, gotCode;
    std::string gotMessage, language;
    CPPUNIT_ASSERT(in.readUint32(gotId) && in.readUint32(gotCode) && in.readString(gotMessage) &&
                   in.readString(language));
    CPPUNIT_ASSERT_EQUAL(id, gotId);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(gotMessage, code, gotCode);
    if (!message.empty()) CPPUNIT_ASSERT_EQUAL(message, gotMessage);
    CPPUNIT_ASSERT_EQUAL(std::string("en"), language);
}

std::string dataOf(const Reply& r) {
    CPPUNIT_ASSERT_EQUAL(int(sftp::kData), int(r.type));
    SftpReader in = r.reader();
    uint32_t id;
    std::string data;
    CPPUNIT_ASSERT(in.readUint32(id) && in.readString(data));
    CPPUNIT_ASSERT_EQUAL(size_t(0), in.remaining());
    return data;
}

const uint32_t kPut = sftp::kOpenWrite | sftp::kOpenCreate | sftp::kOpenTruncate;

}  // namespace

class SftpEngineTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SftpEngineTest);
    CPPUNIT_TEST(testInitAnswersVersion3WithExtensionList);
    CPPUNIT_TEST(testPacketBeforeInitEndsStream);
    CPPUNIT_TEST(testSecondInitEndsStream);
    CPPUNIT_TEST(testWriteCloseThenReadBack);
    CPPUNIT_TEST(testReadAtEofGivesEof);
    CPPUNIT_TEST(testHugeReadIsClamped);
    CPPUNIT_TEST(testStaleAndForgedHandlesAreInvalid);
    CPPUNIT_TEST(testPacketsSplitByteByByte);
    CPPUNIT_TEST(testHundredPipelinedWritesInOneFeed);
    CPPUNIT_TEST(testLengthPastMaxEndsStreamBeforeBody);
    CPPUNIT_TEST(testTruncatedStringGivesBadMessage);
    CPPUNIT_TEST(testPacketWithoutIdEndsStream);
    CPPUNIT_TEST(testCloseErrorMessageReachesClient);
    CPPUNIT_TEST(testCheckFileNameReturnsContentHash);
    CPPUNIT_TEST(testCheckFileHandleReturnsContentHash);
    CPPUNIT_TEST(testCheckFileWithoutSha256IsUnsupported);
    CPPUNIT_TEST(testCheckFilePartialRangeIsUnsupported);
    CPPUNIT_TEST(testCopyDataWholeFileBecomesCopyFile);
    CPPUNIT_TEST(testCopyDataPartialGoesThroughStreams);
    CPPUNIT_TEST(testWriteAfterWholeFileCopyDataKeepsBothBytes);
    CPPUNIT_TEST(testReaddirBatchesThenEof);
    CPPUNIT_TEST(testRenameDoesNotReplacePosixRenameDoes);
    CPPUNIT_TEST(testHardlinkIsCopyFileWithoutReplace);
    CPPUNIT_TEST(testUnknownTypeIsUnsupportedWithId);
    CPPUNIT_TEST(testOpenWithoutCreateOnMissingFileIsNoSuchFile);
    CPPUNIT_TEST(testReadWriteOpenIsUnsupported);
    CPPUNIT_TEST(testTooManyOpenHandles);
    CPPUNIT_TEST(testRealpathOfMissingFileAndDot);
    CPPUNIT_TEST(testRefusedPathGivesFailureWithMessage);
    CPPUNIT_TEST(testFsetstatMtimeAppliedAfterClose);
    CPPUNIT_TEST(testSetstatSizeChangeUnsupportedPermissionsAccepted);
    CPPUNIT_TEST(testFinishAbandonsUploadsAndClosesReads);
    CPPUNIT_TEST(testLimitsReply);
    CPPUNIT_TEST(testStatvfsReply);
    CPPUNIT_TEST(testExpandPathAndHomeDirectory);
    CPPUNIT_TEST(testFsyncSyncsUpload);
    CPPUNIT_TEST(testSymlinkAndReadlinkUnsupported);
    CPPUNIT_TEST(testStatOfFileGivesAttrs);
    CPPUNIT_TEST(testBrokenOutputEndsStream);
    CPPUNIT_TEST(testSessionExceptionBecomesFailure);
    CPPUNIT_TEST(testLongNameFormat);
    CPPUNIT_TEST(testRandomRequestsNeverBreakFraming);
    CPPUNIT_TEST_SUITE_END();

public:
    void testInitAnswersVersion3WithExtensionList() {
        Client c;
        CPPUNIT_ASSERT(c.feed(Packet::init(6)));
        std::vector<Reply> r = c.replies();
        CPPUNIT_ASSERT_EQUAL(size_t(1), r.size());
        CPPUNIT_ASSERT_EQUAL(int(sftp::kVersionPacket), int(r[0].type));
        SftpReader in = r[0].reader();
        uint32_t version;
        CPPUNIT_ASSERT(in.readUint32(version));
        CPPUNIT_ASSERT_EQUAL(uint32_t(3), version);
        std::string got;
        while (in.remaining() > 0) {
            std::string name, value;
            CPPUNIT_ASSERT(in.readString(name) && in.readString(value));
            got += name + "=" + value + ";";
        }
        CPPUNIT_ASSERT_EQUAL(std::string("posix-rename@openssh.com=1;statvfs@openssh.com=2;"
                                         "fstatvfs@openssh.com=2;hardlink@openssh.com=1;"
                                         "fsync@openssh.com=1;limits@openssh.com=1;"
                                         "expand-path@openssh.com=1;copy-data=1;"
                                         "home-directory=1;check-file-name=1;"
                                         "check-file-handle=1;"),
                             got);
    }
    void testPacketBeforeInitEndsStream() {
        Client c;
        CPPUNIT_ASSERT(!c.feed(Packet(sftp::kStat, 1).str("/")));
        CPPUNIT_ASSERT(c.wire.empty());
        CPPUNIT_ASSERT(!c.feed(Packet::init(3)));  // stays closed
    }
    void testSecondInitEndsStream() {
        Client c;
        c.init();
        CPPUNIT_ASSERT(!c.feed(Packet::init(3)));
    }
    void testWriteCloseThenReadBack() {
        Client c;
        c.init();
        const std::string h = c.open("a.txt", kPut);
        CPPUNIT_ASSERT(c.session.lastWriteOptions.truncate);
        assertStatus(c.request(Packet(sftp::kWrite, 2).str(h).u64(0).str("hello ")), 2, sftp::kOk);
        assertStatus(c.request(Packet(sftp::kWrite, 3).str(h).u64(6).str("world")), 3, sftp::kOk);
        CPPUNIT_ASSERT(c.session.files.count("/a.txt") == 0);  // nothing visible before close
        assertStatus(c.request(Packet(sftp::kClose, 4).str(h)), 4, sftp::kOk);
        CPPUNIT_ASSERT_EQUAL(std::string("hello world"), c.session.files["/a.txt"].content);

        const std::string r = c.open("/a.txt", sftp::kOpenRead, 5);
        CPPUNIT_ASSERT_EQUAL(std::string("hello world"),
                             dataOf(c.request(Packet(sftp::kRead, 6).str(r).u64(0).u32(100))));
        CPPUNIT_ASSERT_EQUAL(std::string("world"),
                             dataOf(c.request(Packet(sftp::kRead, 7).str(r).u64(6).u32(100))));
        assertStatus(c.request(Packet(sftp::kClose, 8).str(r)), 8, sftp::kOk);
        CPPUNIT_ASSERT_EQUAL(1, c.session.readCloses);
    }
    void testReadAtEofGivesEof() {
        Client c;
        c.init();
        c.session.addFile("/f", "abc");
        const std::string r = c.open("/f", sftp::kOpenRead);
        assertStatus(c.request(Packet(sftp::kRead, 2).str(r).u64(3).u32(10)), 2, sftp::kEof);
        assertStatus(c.request(Packet(sftp::kRead, 3).str(r).u64(1000).u32(10)), 3, sftp::kEof);
    }
    void testHugeReadIsClamped() {
        Client c;
        c.init();
        c.session.addFile("/big", std::string(10 * 1024 * 1024, 'x'));
        const std::string r = c.open("/big", sftp::kOpenRead);
        const std::string data =
            dataOf(c.request(Packet(sftp::kRead, 2).str(r).u64(0).u32(10 * 1024 * 1024)));
        CPPUNIT_ASSERT_EQUAL(size_t(SftpLimits().maxReadLength), data.size());
    }
    void testStaleAndForgedHandlesAreInvalid() {
        Client c;
        c.init();
        c.session.addFile("/f", "abc");
        const std::string old = c.open("/f", sftp::kOpenRead);
        assertStatus(c.request(Packet(sftp::kClose, 2).str(old)), 2, sftp::kOk);
        const std::string fresh = c.open("/f", sftp::kOpenRead, 3);
        CPPUNIT_ASSERT(fresh != old);  // same slot, new generation
        assertStatus(c.request(Packet(sftp::kRead, 4).str(old).u64(0).u32(3)), 4, sftp::kFailure,
                     "invalid handle");
        assertStatus(c.request(Packet(sftp::kRead, 5).str("forged!!").u64(0).u32(3)), 5,
                     sftp::kFailure, "invalid handle");
        assertStatus(c.request(Packet(sftp::kClose, 6).str(std::string(300, 'z'))), 6,
                     sftp::kFailure, "invalid handle");
        CPPUNIT_ASSERT_EQUAL(std::string("abc"),
                             dataOf(c.request(Packet(sftp::kRead, 7).str(fresh).u64(0).u32(3))));
    }
    void testPacketsSplitByteByByte() {
        Client c;
        const std::string bytes = Packet::init(3).bytes() +
                                  Packet(sftp::kMkdir, 1).str("/d").attrs(SftpAttrs()).bytes() +
                                  Packet(sftp::kStat, 2).str("/d").bytes();
        for (char b : bytes)
            CPPUNIT_ASSERT(c.engine->feed(&b, 1));
        std::vector<Reply> r = c.replies();
        CPPUNIT_ASSERT_EQUAL(size_t(3), r.size());
        CPPUNIT_ASSERT_EQUAL(int(sftp::kVersionPacket), int(r[0].type));
        assertStatus(r[1], 1, sftp::kOk);
        CPPUNIT_ASSERT_EQUAL(int(sftp::kAttrs), int(r[2].type));
        CPPUNIT_ASSERT(c.session.directories.count("/d"));
    }
    void testHundredPipelinedWritesInOneFeed() {
        Client c;
        c.init();
        const std::string h = c.open("/p", kPut);
        std::string batch;
        for (uint32_t i = 0; i < 100; ++i) {
            // Out of order on purpose: the session handles offsets.
            const uint32_t block = 99 - i;
            batch += Packet(sftp::kWrite, 100 + i)
                         .str(h)
                         .u64(block * 10)
                         .str(std::string(10, char('a' + block % 26)))
                         .bytes();
        }
        const int callsBefore = c.outputCalls;
        CPPUNIT_ASSERT(c.feed(batch));
        CPPUNIT_ASSERT_EQUAL(callsBefore + 1, c.outputCalls);  // one batched output
        std::vector<Reply> r = c.replies();
        CPPUNIT_ASSERT_EQUAL(size_t(100), r.size());
        for (uint32_t i = 0; i < 100; ++i)
            assertStatus(r[i], 100 + i, sftp::kOk);
        assertStatus(c.request(Packet(sftp::kClose, 2).str(h)), 2, sftp::kOk);
        const std::string& content = c.session.files["/p"].content;
        CPPUNIT_ASSERT_EQUAL(size_t(1000), content.size());
        CPPUNIT_ASSERT_EQUAL(std::string(10, 'a'), content.substr(0, 10));
        CPPUNIT_ASSERT_EQUAL(std::string(10, char('a' + 99 % 26)), content.substr(990));
    }
    void testLengthPastMaxEndsStreamBeforeBody() {
        Client c;
        c.init();
        std::string header;
        SftpWriter(header).uint32(SftpLimits().maxPacketLength + 1);
        CPPUNIT_ASSERT(!c.feed(header));  // refused on the length alone
        CPPUNIT_ASSERT(!c.feed(std::string(10, 'x')));
    }
    void testTruncatedStringGivesBadMessage() {
        Client c;
        c.init();
        // OPEN whose filename claims 1000 bytes, but the packet ends after 3.
        Packet p(sftp::kOpen, 42);
        p.u32(1000).raw("abc");
        assertStatus(c.request(p), 42, sftp::kBadMessage);
        // The stream goes on.
        CPPUNIT_ASSERT_EQUAL(int(sftp::kAttrs),
                             int(c.request(Packet(sftp::kStat, 43).str("/")).type));
    }
    void testPacketWithoutIdEndsStream() {
        Client c;
        c.init();
        CPPUNIT_ASSERT(!c.feed(std::string("\0\0\0\x03\x11\0\0", 7)));
    }
    void testCloseErrorMessageReachesClient() {
        Client c;
        c.init();
        c.session.directories.insert("/outbox");
        c.session.directories.insert("/outbox/d");
        const std::string h = c.open("/outbox/d/.dad", kPut);
        assertStatus(c.request(Packet(sftp::kWrite, 2).str(h).u64(0).str("colour = red\n")), 2,
                     sftp::kOk);
        c.session.closeError = dad::Status::invalid("line 3: unknown key");
        assertStatus(c.request(Packet(sftp::kClose, 3).str(h)), 3, sftp::kFailure,
                     "line 3: unknown key");
        CPPUNIT_ASSERT(c.session.files.count("/outbox/d/.dad") == 0);
        // The handle is gone either way.
        assertStatus(c.request(Packet(sftp::kClose, 4).str(h)), 4, sftp::kFailure,
                     "invalid handle");
    }
    void testCheckFileNameReturnsContentHash() {
        Client c;
        c.init();
        c.session.addFile("/f", "abc");
        Reply r = c.request(Packet::extended(9, "check-file-name")
                                .str("/f")
                                .str("md5,sha256")
                                .u64(0)
                                .u64(0)
                                .u32(0));
        CPPUNIT_ASSERT_EQUAL(int(sftp::kExtendedReply), int(r.type));
        SftpReader in = r.reader();
        uint32_t id;
        std::string tag, algorithm;
        CPPUNIT_ASSERT(in.readUint32(id) && in.readString(tag) && in.readString(algorithm));
        CPPUNIT_ASSERT_EQUAL(uint32_t(9), id);
        CPPUNIT_ASSERT_EQUAL(std::string("check-file"), tag);
        CPPUNIT_ASSERT_EQUAL(std::string("sha256"), algorithm);
        const std::string expected(
            "\xba\x78\x16\xbf\x8f\x01\xcf\xea\x41\x41\x40\xde\x5d\xae\x22\x23"
            "\xb0\x03\x61\xa3\x96\x17\x7a\x9c\xb4\x10\xff\x61\xf2\x00\x15\xad",
            32);
        CPPUNIT_ASSERT(expected == r.payload.substr(4 + 4 + 10 + 4 + 6));
        CPPUNIT_ASSERT_EQUAL(1, c.session.hashCalls);
        CPPUNIT_ASSERT_EQUAL(0, c.session.openReads);  // never read the file
    }
    void testCheckFileHandleReturnsContentHash() {
        Client c;
        c.init();
        c.session.addFile("/f", "abc");
        const std::string h = c.open("/f", sftp::kOpenRead);
        Reply r = c.request(
            Packet::extended(2, "check-file-handle").str(h).str("sha256").u64(0).u64(0).u32(0));
        CPPUNIT_ASSERT_EQUAL(int(sftp::kExtendedReply), int(r.type));
        CPPUNIT_ASSERT_EQUAL(size_t(4 + 4 + 10 + 4 + 6 + 32), r.payload.size());
        Reply legacy =
            c.request(Packet::extended(3, "check-file").str(h).str("sha256").u64(0).u64(0).u32(0));
        CPPUNIT_ASSERT(legacy.payload.substr(4) == r.payload.substr(4));
    }
    void testCheckFileWithoutSha256IsUnsupported() {
        Client c;
        c.init();
        c.session.addFile("/f", "abc");
        assertStatus(c.request(Packet::extended(3, "check-file-name")
                                   .str("/f")
                                   .str("md5,sha1,sha256x")
                                   .u64(0)
                                   .u64(0)
                                   .u32(0)),
                     3, sftp::kOpUnsupported);
        CPPUNIT_ASSERT_EQUAL(0, c.session.hashCalls);
    }
    void testCheckFilePartialRangeIsUnsupported() {
        Client c;
        c.init();
        c.session.addFile("/f", "abcdef");
        assertStatus(c.request(Packet::extended(3, "check-file-name")
                                   .str("/f")
                                   .str("sha256")
                                   .u64(1)
                                   .u64(0)
                                   .u32(0)),
                     3, sftp::kOpUnsupported);
        assertStatus(c.request(Packet::extended(4, "check-file-name")
                                   .str("/f")
                                   .str("sha256")
                                   .u64(0)
                                   .u64(0)
                                   .u32(2)),
                     4, sftp::kOpUnsupported);
    }
    void testCopyDataWholeFileBecomesCopyFile() {
        Client c;
        c.init();
        c.session.addFile("/src", "payload");
        const std::string from = c.open("/src", sftp::kOpenRead, 1);
        const std::string to = c.open("/dst", kPut, 2);
        assertStatus(
            c.request(Packet::extended(3, "copy-data").str(from).u64(0).u64(0).str(to).u64(0)), 3,
            sftp::kOk);
        assertStatus(c.request(Packet(sftp::kClose, 4).str(to)), 4, sftp::kOk);
        CPPUNIT_ASSERT_EQUAL(size_t(1), c.session.copies.size());
        CPPUNIT_ASSERT_EQUAL(std::string("/src"), c.session.copies[0].from);
        CPPUNIT_ASSERT_EQUAL(std::string("/dst"), c.session.copies[0].to);
        CPPUNIT_ASSERT(c.session.copies[0].replace);
        CPPUNIT_ASSERT_EQUAL(1, c.session.discards);
        CPPUNIT_ASSERT_EQUAL(0, c.session.abandons);
        CPPUNIT_ASSERT_EQUAL(0, c.session.writeCloses);
        CPPUNIT_ASSERT_EQUAL(std::string("payload"), c.session.files["/dst"].content);
    }
    void testCopyDataPartialGoesThroughStreams() {
        Client c;
        c.init();
        c.session.addFile("/src", "0123456789");
        const std::string from = c.open("/src", sftp::kOpenRead, 1);
        const std::string to = c.open("/dst", kPut, 2);
        assertStatus(
            c.request(Packet::extended(3, "copy-data").str(from).u64(2).u64(5).str(to).u64(1)), 3,
            sftp::kOk);
        assertStatus(c.request(Packet(sftp::kClose, 4).str(to)), 4, sftp::kOk);
        CPPUNIT_ASSERT(c.session.copies.empty());
        CPPUNIT_ASSERT(std::string("\0"
                                   "23456",
                                   6) == c.session.files["/dst"].content);
    }
    void testWriteAfterWholeFileCopyDataKeepsBothBytes() {
        Client c;
        c.init();
        c.session.addFile("/src", "abcdef");
        const std::string from = c.open("/src", sftp::kOpenRead, 1);
        const std::string to = c.open("/dst", kPut, 2);
        assertStatus(
            c.request(Packet::extended(3, "copy-data").str(from).u64(0).u64(0).str(to).u64(0)), 3,
            sftp::kOk);
        assertStatus(c.request(Packet(sftp::kWrite, 4).str(to).u64(6).str("gh")), 4, sftp::kOk);
        assertStatus(c.request(Packet(sftp::kClose, 5).str(to)), 5, sftp::kOk);
        CPPUNIT_ASSERT(c.session.copies.empty());
        CPPUNIT_ASSERT_EQUAL(std::string("abcdefgh"), c.session.files["/dst"].content);
    }
    void testReaddirBatchesThenEof() {
        Client c;
        c.init();
        c.session.directories.insert("/many");
        for (int i = 0; i < 250; ++i)
            c.session.addFile("/many/f" + std::to_string(1000 + i), "x");
        Reply opened = c.request(Packet(sftp::kOpendir, 1).str("/many"));
        const std::string h = Client::handleOf(opened);
        std::vector<uint32_t> counts;
        std::string firstName, firstLong;
        for (uint32_t id = 2;; ++id) {
            Reply r = c.request(Packet(sftp::kReaddir, id).str(h));
            if (r.type == sftp::kStatus) {
                assertStatus(r, id, sftp::kEof);
                break;
            }
            CPPUNIT_ASSERT_EQUAL(int(sftp::kName), int(r.type));
            SftpReader in = r.reader();
            uint32_t rid, count;
            CPPUNIT_ASSERT(in.readUint32(rid) && in.readUint32(count));
            for (uint32_t i = 0; i < count; ++i) {
                std::string name, longName;
                SftpAttrs attrs;
                CPPUNIT_ASSERT(in.readString(name) && in.readString(longName) &&
                               in.readAttrs(attrs));
                if (firstName.empty()) {
                    firstName = name;
                    firstLong = longName;
                    CPPUNIT_ASSERT_EQUAL(uint32_t(sftp::kModeRegular | 0644), attrs.permissions);
                }
            }
            CPPUNIT_ASSERT_EQUAL(size_t(0), in.remaining());
            counts.push_back(count);
        }
        CPPUNIT_ASSERT(counts == std::vector<uint32_t>({100, 100, 50}));
        CPPUNIT_ASSERT_EQUAL(std::string("f1000"), firstName);
        CPPUNIT_ASSERT_EQUAL(std::string("-rw-r--r--    1 alice    alice           1"),
                             firstLong.substr(0, 42));
        assertStatus(c.request(Packet(sftp::kClose, 99).str(h)), 99, sftp::kOk);
    }
    void testRenameDoesNotReplacePosixRenameDoes() {
        Client c;
        c.init();
        c.session.addFile("/a", "A");
        c.session.addFile("/b", "B");
        assertStatus(c.request(Packet(sftp::kRename, 1).str("/a").str("/b")), 1, sftp::kFailure);
        CPPUNIT_ASSERT(!c.session.renames.back().replace);
        assertStatus(c.request(Packet::extended(2, "posix-rename@openssh.com").str("/a").str("/b")),
                     2, sftp::kOk);
        CPPUNIT_ASSERT(c.session.renames.back().replace);
        CPPUNIT_ASSERT_EQUAL(std::string("A"), c.session.files["/b"].content);
    }
    void testHardlinkIsCopyFileWithoutReplace() {
        Client c;
        c.init();
        c.session.addFile("/a", "A");
        assertStatus(c.request(Packet::extended(1, "hardlink@openssh.com").str("/a").str("b")), 1,
                     sftp::kOk);
        CPPUNIT_ASSERT_EQUAL(size_t(1), c.session.copies.size());
        CPPUNIT_ASSERT_EQUAL(std::string("/b"), c.session.copies[0].to);
        CPPUNIT_ASSERT(!c.session.copies[0].replace);
    }
    void testUnknownTypeIsUnsupportedWithId() {
        Client c;
        c.init();
        assertStatus(c.request(Packet(77, 1234).str("whatever")), 1234, sftp::kOpUnsupported);
        assertStatus(c.request(Packet::extended(5, "nope@example.com")), 5, sftp::kOpUnsupported);
    }
    void testOpenWithoutCreateOnMissingFileIsNoSuchFile() {
        Client c;
        c.init();
        Reply r = c.request(
            Packet(sftp::kOpen, 1).str("/missing").u32(sftp::kOpenWrite).attrs(SftpAttrs()));
        assertStatus(r, 1, sftp::kNoSuchFile);
        CPPUNIT_ASSERT_EQUAL(0, c.session.openWrites);
    }
    void testReadWriteOpenIsUnsupported() {
        Client c;
        c.init();
        Reply r = c.request(Packet(sftp::kOpen, 1)
                                .str("/x")
                                .u32(sftp::kOpenRead | sftp::kOpenWrite | sftp::kOpenCreate)
                                .attrs(SftpAttrs()));
        assertStatus(r, 1, sftp::kOpUnsupported, "read-write open not supported");
    }
    void testTooManyOpenHandles() {
        SftpLimits limits;
        limits.maxOpenHandles = 2;
        Client c(limits);
        c.init();
        c.session.addFile("/f", "abc");
        c.open("/f", sftp::kOpenRead, 1);
        const std::string second = c.open("/f", sftp::kOpenRead, 2);
        assertStatus(
            c.request(Packet(sftp::kOpen, 3).str("/f").u32(sftp::kOpenRead).attrs(SftpAttrs())), 3,
            sftp::kFailure, "too many open handles");
        assertStatus(c.request(Packet(sftp::kOpendir, 4).str("/")), 4, sftp::kFailure,
                     "too many open handles");
        assertStatus(c.request(Packet(sftp::kClose, 5).str(second)), 5, sftp::kOk);
        c.open("/f", sftp::kOpenRead, 6);
    }
    void testRealpathOfMissingFileAndDot() {
        Client c;
        c.session.home = "/files";
        c.session.directories.insert("/files");
        c.init();
        auto nameOf = [&](const std::string& raw) {
            Reply r = c.request(Packet(sftp::kRealpath, 1).str(raw));
            CPPUNIT_ASSERT_EQUAL(int(sftp::kName), int(r.type));
            SftpReader in = r.reader();
            uint32_t id, count;
            std::string name, longName;
            SftpAttrs attrs;
            CPPUNIT_ASSERT(in.readUint32(id) && in.readUint32(count) && in.readString(name) &&
                           in.readString(longName) && in.readAttrs(attrs));
            CPPUNIT_ASSERT_EQUAL(uint32_t(1), count);
            return name;
        };
        CPPUNIT_ASSERT_EQUAL(std::string("/files"), nameOf("."));
        CPPUNIT_ASSERT_EQUAL(std::string("/files"), nameOf(""));
        CPPUNIT_ASSERT_EQUAL(std::string("/files/new/file.bin"), nameOf("new/./file.bin"));
        CPPUNIT_ASSERT_EQUAL(std::string("/"), nameOf("../../.."));
    }
    void testRefusedPathGivesFailureWithMessage() {
        Client c;
        c.init();
        assertStatus(c.request(Packet(sftp::kStat, 1).str(std::string("a\0b", 3))), 1,
                     sftp::kFailure, "control character in path");
        assertStatus(c.request(Packet(sftp::kRemove, 2).str("a\\b")), 2, sftp::kFailure,
                     "backslash in path");
    }
    void testFsetstatMtimeAppliedAfterClose() {
        Client c;
        c.init();
        const std::string h = c.open("/up", kPut);
        SftpAttrs attrs;
        attrs.flags = sftp::kAttrPermissions | sftp::kAttrAcModTime;
        attrs.permissions = 0600;
        attrs.atime = attrs.mtime = 1234567890;
        assertStatus(c.request(Packet(sftp::kFsetstat, 2).str(h).attrs(attrs)), 2, sftp::kOk);
        CPPUNIT_ASSERT(c.session.mtimes.empty());  // not yet: the file is not visible
        assertStatus(c.request(Packet(sftp::kClose, 3).str(h)), 3, sftp::kOk);
        CPPUNIT_ASSERT_EQUAL(size_t(1), c.session.mtimes.size());
        CPPUNIT_ASSERT_EQUAL(int64_t(1234567890), c.session.files["/up"].mtime);
    }
    void testSetstatSizeChangeUnsupportedPermissionsAccepted() {
        Client c;
        c.init();
        c.session.addFile("/f", "abc");
        SftpAttrs size;
        size.flags = sftp::kAttrSize;
        size.size = 1;
        assertStatus(c.request(Packet(sftp::kSetstat, 1).str("/f").attrs(size)), 1,
                     sftp::kOpUnsupported);
        size.size = 3;
        assertStatus(c.request(Packet(sftp::kSetstat, 2).str("/f").attrs(size)), 2, sftp::kOk);
        SftpAttrs perms;
        perms.flags = sftp::kAttrPermissions | sftp::kAttrUidGid | sftp::kAttrAcModTime;
        perms.permissions = 0600;
        perms.mtime = 99;
        assertStatus(c.request(Packet(sftp::kSetstat, 3).str("/f").attrs(perms)), 3, sftp::kOk);
        CPPUNIT_ASSERT_EQUAL(int64_t(99), c.session.files["/f"].mtime);
        assertStatus(c.request(Packet(sftp::kSetstat, 4).str("/nope").attrs(perms)), 4,
                     sftp::kNoSuchFile);
    }
    void testFinishAbandonsUploadsAndClosesReads() {
        Client c;
        c.init();
        c.session.addFile("/f", "abc");
        c.open("/f", sftp::kOpenRead, 1);
        const std::string h = c.open("/up", kPut, 2);
        c.request(Packet(sftp::kWrite, 3).str(h).u64(0).str("partial"));
        c.engine->finish();
        c.engine->finish();  // idempotent
        CPPUNIT_ASSERT_EQUAL(1, c.session.abandons);
        CPPUNIT_ASSERT_EQUAL(1, c.session.readCloses);
        CPPUNIT_ASSERT_EQUAL(0, c.session.writeCloses);
        CPPUNIT_ASSERT(c.session.files.count("/up") == 0);
        CPPUNIT_ASSERT(!c.feed(Packet(sftp::kStat, 4).str("/")));
        c.engine.reset();  // the destructor does not do it again
        CPPUNIT_ASSERT_EQUAL(1, c.session.abandons);
    }
    void testLimitsReply() {
        Client c;
        c.init();
        Reply r = c.request(Packet::extended(7, "limits@openssh.com"));
        CPPUNIT_ASSERT_EQUAL(int(sftp::kExtendedReply), int(r.type));
        SftpReader in = r.reader();
        uint32_t id;
        uint64_t packet, read, write, handles;
        CPPUNIT_ASSERT(in.readUint32(id) && in.readUint64(packet) && in.readUint64(read) &&
                       in.readUint64(write) && in.readUint64(handles));
        CPPUNIT_ASSERT_EQUAL(uint64_t(256 * 1024), packet);
        CPPUNIT_ASSERT_EQUAL(uint64_t(255 * 1024), read);
        CPPUNIT_ASSERT_EQUAL(uint64_t(255 * 1024), write);
        CPPUNIT_ASSERT_EQUAL(uint64_t(256), handles);
        CPPUNIT_ASSERT_EQUAL(size_t(0), in.remaining());
    }
    void testStatvfsReply() {
        Client c;
        c.init();
        c.session.space = {4096ULL * 1000, 4096ULL * 10};
        Reply r = c.request(Packet::extended(8, "statvfs@openssh.com").str("/"));
        CPPUNIT_ASSERT_EQUAL(int(sftp::kExtendedReply), int(r.type));
        SftpReader in = r.reader();
        uint32_t id;
        CPPUNIT_ASSERT(in.readUint32(id));
        std::vector<uint64_t> v(11);
        for (auto& x : v)
            CPPUNIT_ASSERT(in.readUint64(x));
        CPPUNIT_ASSERT_EQUAL(size_t(0), in.remaining());
        CPPUNIT_ASSERT_EQUAL(uint64_t(4096), v[0]);
        CPPUNIT_ASSERT_EQUAL(uint64_t(4096), v[1]);
        CPPUNIT_ASSERT_EQUAL(uint64_t(1000), v[2]);
        CPPUNIT_ASSERT_EQUAL(uint64_t(10), v[3]);
        CPPUNIT_ASSERT_EQUAL(uint64_t(10), v[4]);
        CPPUNIT_ASSERT_EQUAL(uint64_t(255), v[10]);
        assertStatus(c.request(Packet::extended(9, "fstatvfs@openssh.com").str("bad")), 9,
                     sftp::kFailure, "invalid handle");
    }
    void testExpandPathAndHomeDirectory() {
        Client c;
        c.session.home = "/files";
        c.init();
        auto firstName = [](const Reply& r) {
            CPPUNIT_ASSERT_EQUAL(int(sftp::kName), int(r.type));
            SftpReader in = r.reader();
            uint32_t id, count;
            std::string name;
            CPPUNIT_ASSERT(in.readUint32(id) && in.readUint32(count) && in.readString(name));
            return name;
        };
        CPPUNIT_ASSERT_EQUAL(
            std::string("/files"),
            firstName(c.request(Packet::extended(1, "expand-path@openssh.com").str("~"))));
        CPPUNIT_ASSERT_EQUAL(
            std::string("/files/x"),
            firstName(c.request(Packet::extended(2, "expand-path@openssh.com").str("~/x"))));
        CPPUNIT_ASSERT_EQUAL(
            std::string("/inbox"),
            firstName(c.request(Packet::extended(3, "expand-path@openssh.com").str("/inbox"))));
        assertStatus(c.request(Packet::extended(4, "expand-path@openssh.com").str("~bob/x")), 4,
                     sftp::kFailure);
        CPPUNIT_ASSERT_EQUAL(std::string("/files"),
                             firstName(c.request(Packet::extended(5, "home-directory").str(""))));
    }
    void testFsyncSyncsUpload() {
        Client c;
        c.init();
        c.session.addFile("/f", "abc");
        const std::string r = c.open("/f", sftp::kOpenRead, 1);
        const std::string w = c.open("/up", kPut, 2);
        assertStatus(c.request(Packet::extended(3, "fsync@openssh.com").str(w)), 3, sftp::kOk);
        assertStatus(c.request(Packet::extended(4, "fsync@openssh.com").str(r)), 4, sftp::kOk);
        CPPUNIT_ASSERT_EQUAL(1, c.session.syncs);
        c.session.syncError = dad::Status::ioError("disk on fire");
        assertStatus(c.request(Packet::extended(5, "fsync@openssh.com").str(w)), 5, sftp::kFailure,
                     "disk on fire");
    }
    void testSymlinkAndReadlinkUnsupported() {
        Client c;
        c.init();
        assertStatus(c.request(Packet(sftp::kReadlink, 1).str("/x")), 1, sftp::kOpUnsupported,
                     "symbolic links are not supported");
        assertStatus(c.request(Packet(sftp::kSymlink, 2).str("/x").str("/y")), 2,
                     sftp::kOpUnsupported, "symbolic links are not supported");
    }
    void testStatOfFileGivesAttrs() {
        Client c;
        c.init();
        c.session.addFile("/ro", "12345", false);
        Reply r = c.request(Packet(sftp::kLstat, 1).str("/ro"));
        CPPUNIT_ASSERT_EQUAL(int(sftp::kAttrs), int(r.type));
        SftpReader in = r.reader();
        uint32_t id;
        SftpAttrs attrs;
        CPPUNIT_ASSERT(in.readUint32(id) && in.readAttrs(attrs));
        CPPUNIT_ASSERT_EQUAL(uint64_t(5), attrs.size);
        CPPUNIT_ASSERT_EQUAL(uint32_t(sftp::kModeRegular | 0444), attrs.permissions);
        CPPUNIT_ASSERT_EQUAL(uint32_t(1700000000), attrs.mtime);
        assertStatus(c.request(Packet(sftp::kStat, 2).str("/none")), 2, sftp::kNoSuchFile);
    }
    void testBrokenOutputEndsStream() {
        Client c;
        c.outputOk = false;
        CPPUNIT_ASSERT(!c.feed(Packet::init(3)));
        CPPUNIT_ASSERT(!c.feed(Packet(sftp::kStat, 1).str("/")));
    }
    void testSessionExceptionBecomesFailure() {
        Client c;
        c.init();
        c.session.throwOnStat = true;
        assertStatus(c.request(Packet(sftp::kStat, 1).str("/x")), 1, sftp::kFailure,
                     "internal error");
        c.session.throwOnStat = false;
        CPPUNIT_ASSERT_EQUAL(int(sftp::kAttrs),
                             int(c.request(Packet(sftp::kStat, 2).str("/")).type));
    }
    void testLongNameFormat() {
        dad::FileInfo dir;
        dir.name = "docs";
        dir.type = dad::EntryType::Directory;
        dir.size = 4096;
        dir.mtime = 43200;  // 1970-01-01 12:00 UTC
        dir.writable = true;
        CPPUNIT_ASSERT_EQUAL(
            std::string("drwxr-xr-x    1 owner    owner        4096 Jan  1 12:00 docs"),
            dad::sftpLongName(dir, "owner", 43200));
        dir.writable = false;
        CPPUNIT_ASSERT_EQUAL(
            std::string("dr-xr-xr-x    1 owner    owner        4096 Jan  1  1970 docs"),
            dad::sftpLongName(dir, "owner", 43200 + 365 * 86400));
    }
    // Every request type with random, mostly truncated bodies: each answered
    // with a well-framed reply carrying its id, or the stream ends.
    void testRandomRequestsNeverBreakFraming() {
        std::mt19937 random(12345);
        auto client = std::make_unique<Client>();
        client->init();
        client->session.addFile("/f", "content");
        std::string handle = client->open("/f", sftp::kOpenRead);
        for (int i = 0; i < 5000; ++i) {
            const uint8_t type =
                static_cast<uint8_t>(i % 3 == 0 ? random() % 256 : 3 + random() % 18);
            Packet p(type == sftp::kInit ? uint8_t{sftp::kStat} : type, static_cast<uint32_t>(i));
            if (random() % 2) p.str(random() % 2 ? handle : std::string("/f"));
            std::string noise(random() % 40, '\0');
            for (char& ch : noise)
                ch = static_cast<char>(random() % 4 == 0 ? random() : 0);
            p.raw(noise);
            if (client->feed(p)) {
                std::vector<Reply> r = client->replies();
                CPPUNIT_ASSERT_EQUAL(size_t(1), r.size());
                CPPUNIT_ASSERT_EQUAL(uint32_t(i), r[0].id());
            } else {
                client = std::make_unique<Client>();
                client->init();
                client->session.addFile("/f", "content");
                handle = client->open("/f", sftp::kOpenRead);
            }
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SftpEngineTest);
