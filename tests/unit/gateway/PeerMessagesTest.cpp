#include <cppunit/extensions/HelperMacros.h>

#include "PeerMessages.h"

using namespace dad;

class PeerMessagesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PeerMessagesTest);
    CPPUNIT_TEST(testPackageRoundTrip);
    CPPUNIT_TEST(testOfferReplyRoundTrip);
    CPPUNIT_TEST(testNotJsonNamesTheProblem);
    CPPUNIT_TEST(testMissingFieldsNamed);
    CPPUNIT_TEST(testBadHashNamesItsFile);
    CPPUNIT_TEST(testPathsThatEscapeRefused);
    CPPUNIT_TEST(testDuplicateAndFileFolderClashRefused);
    CPPUNIT_TEST(testWrongTypesRefused);
    CPPUNIT_TEST(testBoundsEnforced);
    CPPUNIT_TEST(testOfferReplyBadStateRefused);
    CPPUNIT_TEST(testContentRangeRoundTrip);
    CPPUNIT_TEST(testBadContentRangeRefused);
    CPPUNIT_TEST_SUITE_END();

    static const std::string kHashA;
    static const std::string kHashB;

    static PeerPackage sample() {
        PeerPackage p;
        p.pid = "site-a-abc123";
        p.sender = "alice";
        p.message = "quarterly \"figures\"\nsee attached";
        p.recipients = {"bob@example.com", "carol"};
        p.sentAt = 1700000000;
        p.expiresAt = 1800000000;
        p.maxDownloads = 3;
        p.files = {{"report.pdf", 1234, kHashA}, {"data/raw/x.bin", 0, kHashB}};
        return p;
    }

    static std::string error(const std::string& body) {
        PeerPackage p;
        Status s = parsePeerPackage(body, p);
        if (s) return "OK";
        CPPUNIT_ASSERT(s.code() == StatusCode::InvalidArgument);
        return s.message();
    }

    static std::string withFiles(const std::string& files) {
        return R"({"pid": "p-1", "sender": "alice", "files": )" + files + "}";
    }

    static bool has(const std::string& text, const std::string& part) {
        return text.find(part) != std::string::npos;
    }

public:
    void testPackageRoundTrip() {
        const PeerPackage in = sample();
        PeerPackage out;
        CPPUNIT_ASSERT(parsePeerPackage(encodePeerPackage(in), out));
        CPPUNIT_ASSERT_EQUAL(in.pid, out.pid);
        CPPUNIT_ASSERT_EQUAL(in.sender, out.sender);
        CPPUNIT_ASSERT_EQUAL(in.message, out.message);
        CPPUNIT_ASSERT(in.recipients == out.recipients);
        CPPUNIT_ASSERT_EQUAL(in.sentAt, out.sentAt);
        CPPUNIT_ASSERT_EQUAL(in.expiresAt, out.expiresAt);
        CPPUNIT_ASSERT_EQUAL(in.maxDownloads, out.maxDownloads);
        CPPUNIT_ASSERT_EQUAL(size_t(2), out.files.size());
        CPPUNIT_ASSERT_EQUAL(std::string("data/raw/x.bin"), out.files[1].path);
        CPPUNIT_ASSERT_EQUAL(uint64_t(1234), out.files[0].size);
        CPPUNIT_ASSERT_EQUAL(kHashB, out.files[1].sha256);
    }

    void testOfferReplyRoundTrip() {
        PeerOfferReply in;
        in.pid = "p-1";
        in.hashes[kHashA] = {PeerHashState::Partial, 5000};
        in.hashes[kHashB] = {PeerHashState::Stored, 7};
        PeerOfferReply out;
        CPPUNIT_ASSERT(parsePeerOfferReply(encodePeerOfferReply(in), out));
        CPPUNIT_ASSERT_EQUAL(std::string("p-1"), out.pid);
        CPPUNIT_ASSERT(!out.committed);
        CPPUNIT_ASSERT(out.hashes[kHashA].state == PeerHashState::Partial);
        CPPUNIT_ASSERT_EQUAL(uint64_t(5000), out.hashes[kHashA].bytes);
        CPPUNIT_ASSERT(out.hashes[kHashB].state == PeerHashState::Stored);
    }

    void testNotJsonNamesTheProblem() {
        CPPUNIT_ASSERT(has(error("{\"pid\": "), "is not JSON"));
        CPPUNIT_ASSERT(has(error("[1, 2]"), "is not a JSON object"));
        CPPUNIT_ASSERT(has(error(""), "not JSON"));
    }

    void testMissingFieldsNamed() {
        CPPUNIT_ASSERT(has(error(R"({"sender": "a", "files": []})"), "\"pid\" is missing"));
        CPPUNIT_ASSERT(has(error(R"({"pid": "p", "files": []})"), "\"sender\" is missing"));
        CPPUNIT_ASSERT(has(error(R"({"pid": "p", "sender": "a"})"), "\"files\" is missing"));
        CPPUNIT_ASSERT(has(error(withFiles("[]")), "\"files\" is empty"));
        CPPUNIT_ASSERT(has(error(withFiles(R"([{"path": "a", "sha256": ")" + kHashA + "\"}]")),
                           "files[0]: \"size\" is missing"));
    }

    void testBadHashNamesItsFile() {
        const std::string upper = "A" + kHashA.substr(1);
        CPPUNIT_ASSERT(
            has(error(withFiles(R"([{"path": "a", "size": 1, "sha256": ")" + kHashA +
                                R"("}, {"path": "b", "size": 1, "sha256": ")" + upper + "\"}]")),
                "files[1]: \"sha256\" is not 64 lower-case hex digits"));
    }

    void testPathsThatEscapeRefused() {
        // JSON text of each path: a backslash, a control character (escaped).
        const std::vector<std::string> paths = {
            "/etc/passwd", "../x", "a/../../x", "a//b", "a/", "", "a/./b", "a\\\\b", "a\\u0001"};
        for (const std::string& path : paths) {
            const std::string message = error(withFiles(
                R"([{"path": ")" + path + R"(", "size": 1, "sha256": ")" + kHashA + "\"}]"));
            CPPUNIT_ASSERT_MESSAGE(path, message != "OK");
            CPPUNIT_ASSERT_MESSAGE(message, has(message, "files[0]"));
        }
        CPPUNIT_ASSERT(!checkPeerPath("a/../b"));
        CPPUNIT_ASSERT(checkPeerPath("a b/c.txt"));
    }

    void testDuplicateAndFileFolderClashRefused() {
        const std::string file = R"({"size": 1, "sha256": ")" + kHashA + "\", \"path\": ";
        CPPUNIT_ASSERT(
            has(error(withFiles("[" + file + "\"a\"}, " + file + "\"a\"}]")), "listed twice"));
        CPPUNIT_ASSERT(has(error(withFiles("[" + file + "\"a\"}, " + file + "\"a/b\"}]")),
                           "\"a\" is both a file and a folder"));
    }

    void testWrongTypesRefused() {
        CPPUNIT_ASSERT(
            has(error(R"({"pid": 7, "sender": "a", "files": []})"), "\"pid\" is not a string"));
        CPPUNIT_ASSERT(
            has(error(withFiles(R"([{"path": "a", "size": "12", "sha256": ")" + kHashA + "\"}]")),
                "\"size\" is not an integer"));
        CPPUNIT_ASSERT(
            has(error(withFiles(R"([{"path": "a", "size": -1, "sha256": ")" + kHashA + "\"}]")),
                "\"size\" is out of range"));
        CPPUNIT_ASSERT(
            has(error(R"({"pid": "p", "sender": "a", "recipients": "bob", "files": []})"),
                "\"recipients\" is not an array"));
        CPPUNIT_ASSERT(
            has(error(R"({"pid": "p", "sender": "a", "max_downloads": -5, "files": []})"),
                "\"max_downloads\" is out of range"));
        CPPUNIT_ASSERT(
            has(error(R"({"pid": "a/b", "sender": "a", "files": []})"), "not a valid package ID"));
    }

    void testBoundsEnforced() {
        CPPUNIT_ASSERT(has(error(std::string(PeerLimits::kMaxBodyBytes + 1, ' ')), "larger than"));
        std::string many = "[";
        for (size_t i = 0; i <= PeerLimits::kMaxFiles; ++i) {
            many += (i ? "," : "") + std::string(R"({"path": "f)") + std::to_string(i) +
                    R"(", "size": 1, "sha256": ")" + kHashA + "\"}";
        }
        many += "]";
        CPPUNIT_ASSERT(has(error(withFiles(many)), "more than 10000 files"));
        const std::string longMessage(PeerLimits::kMaxMessageBytes + 1, 'x');
        CPPUNIT_ASSERT(has(error(R"({"pid": "p", "sender": "a", "message": ")" + longMessage +
                                 R"(", "files": []})"),
                           "\"message\" is longer than"));
    }

    void testOfferReplyBadStateRefused() {
        PeerOfferReply reply;
        CPPUNIT_ASSERT(!parsePeerOfferReply(
            R"({"pid": "p", "hashes": {")" + kHashA + R"(": {"state": "maybe"}}})", reply));
        CPPUNIT_ASSERT(
            !parsePeerOfferReply(R"({"pid": "p", "hashes": {"xyz": {"state": "stored"}}})", reply));
        CPPUNIT_ASSERT(!parsePeerOfferReply(R"({"pid": "p"})", reply));
        CPPUNIT_ASSERT(
            !parsePeerOfferReply(R"({"pid": "p", "committed": "yes", "hashes": {}})", reply));
    }

    void testContentRangeRoundTrip() {
        uint64_t start = 0, end = 0, total = 0;
        CPPUNIT_ASSERT_EQUAL(std::string("bytes 100-999/1000"), peerContentRange(100, 1000));
        CPPUNIT_ASSERT(parsePeerContentRange(peerContentRange(100, 1000), start, end, total));
        CPPUNIT_ASSERT_EQUAL(uint64_t(100), start);
        CPPUNIT_ASSERT_EQUAL(uint64_t(1000), end);
        CPPUNIT_ASSERT_EQUAL(uint64_t(1000), total);
        CPPUNIT_ASSERT_EQUAL(std::string("bytes */0"), peerContentRange(0, 0));
        CPPUNIT_ASSERT(parsePeerContentRange("bytes */0", start, end, total));
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), end);
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), total);
    }

    void testBadContentRangeRefused() {
        uint64_t start = 0, end = 0, total = 0;
        for (const char* header :
             {"", "bytes", "bytes 5-4/10", "bytes 0-10/10", "bytes -1-3/10", "bytes 0-3",
              "items 0-3/10", "bytes 0-3/x", "bytes 0-99999999999999999999/1", "bytes 1-2/3/4"}) {
            CPPUNIT_ASSERT_MESSAGE(header, !parsePeerContentRange(header, start, end, total));
        }
    }
};

const std::string PeerMessagesTest::kHashA(64, 'a');
const std::string PeerMessagesTest::kHashB =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

CPPUNIT_TEST_SUITE_REGISTRATION(PeerMessagesTest);
