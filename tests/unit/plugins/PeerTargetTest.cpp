#include <cppunit/extensions/HelperMacros.h>

#include "PeerTarget.h"

using namespace dad;

namespace {

class NoContent : public ContentSource {
public:
    Status open(const std::string&, std::unique_ptr<ReadStream>&) override {
        opened = true;
        return Status::notFound("no content in this test");
    }
    bool opened = false;
};

class NoProgress : public ForwardProgress {
public:
    void reached(uint64_t) override {}
};

}  // namespace

class PeerTargetTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PeerTargetTest);
    CPPUNIT_TEST(testDescriptionLeavesOutTheManifestOnly);
    CPPUNIT_TEST(testRefusalsAreNotRetried);
    CPPUNIT_TEST(testOtherAnswersAreRetried);
    CPPUNIT_TEST(testAnswerErrorIsQuoted);
    CPPUNIT_TEST(testBadUrlRefusedBeforeConnecting);
    CPPUNIT_TEST(testEmptyPackageRefused);
    CPPUNIT_TEST_SUITE_END();

    static ForwardPackage package() {
        ForwardPackage p;
        p.pid = "a-1";
        p.sender = "alice";
        p.recipients = {"bob@example.com"};
        p.maxDownloads = 2;
        p.files = {{".dad", 10, std::string(64, 'a')},
                   {"docs/.dad", 11, std::string(64, 'b')},
                   {"x.bin", 12, std::string(64, 'c')}};
        return p;
    }

    static Site site(const std::string& url) {
        Site s;
        s.name = "b";
        s.type = "peer";
        s.url = url;
        s.user = "site-a";
        s.secret = "token";
        return s;
    }

public:
    void testDescriptionLeavesOutTheManifestOnly() {
        const PeerPackage p = peerPackageOf(package());
        CPPUNIT_ASSERT_EQUAL(std::string("a-1"), p.pid);
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), p.sender);
        CPPUNIT_ASSERT_EQUAL(int64_t(2), p.maxDownloads);
        CPPUNIT_ASSERT_EQUAL(size_t(2), p.files.size());
        CPPUNIT_ASSERT_EQUAL(std::string("docs/.dad"), p.files[0].path);
        CPPUNIT_ASSERT_EQUAL(uint64_t(12), p.files[1].size);
    }

    void testRefusalsAreNotRetried() {
        CPPUNIT_ASSERT(peerAnswerStatus(401, "offer", "").code() == StatusCode::PermissionDenied);
        CPPUNIT_ASSERT(peerAnswerStatus(403, "offer", "").code() == StatusCode::PermissionDenied);
        CPPUNIT_ASSERT(peerAnswerStatus(400, "offer", "").code() == StatusCode::InvalidArgument);
        CPPUNIT_ASSERT(peerAnswerStatus(404, "offer", "").code() == StatusCode::InvalidArgument);
    }

    void testOtherAnswersAreRetried() {
        CPPUNIT_ASSERT(peerAnswerStatus(200, "offer", "{}"));
        CPPUNIT_ASSERT(peerAnswerStatus(204, "offer", ""));
        for (int status : {409, 429, 500, 502, 503, 507}) {
            CPPUNIT_ASSERT(peerAnswerStatus(status, "offer", "").code() == StatusCode::Failure);
        }
    }

    void testAnswerErrorIsQuoted() {
        const Status s =
            peerAnswerStatus(403, "offering a-1", R"({"error": "not a peer account"})");
        CPPUNIT_ASSERT_EQUAL(std::string("offering a-1: the peer answered 403: not a peer account"),
                             s.message());
        // Not JSON: the start of the body, bounded.
        const Status html = peerAnswerStatus(502, "committing", std::string(1000, '<'));
        CPPUNIT_ASSERT(html.message().size() < 300);
    }

    void testBadUrlRefusedBeforeConnecting() {
        PeerTarget target(5);
        NoContent content;
        NoProgress progress;
        for (const char* url : {"http://localhost:8443", "ftp://host/x", "https://", "::"}) {
            const Status s = target.push(site(url), package(), content, progress);
            CPPUNIT_ASSERT_MESSAGE(url, s.code() == StatusCode::InvalidArgument);
            const Status w = target.withdraw(site(url), "a-1");
            CPPUNIT_ASSERT_MESSAGE(url, w.code() == StatusCode::InvalidArgument);
        }
        CPPUNIT_ASSERT(!content.opened);
    }

    void testEmptyPackageRefused() {
        PeerTarget target(5);
        NoContent content;
        NoProgress progress;
        ForwardPackage onlyManifest = package();
        onlyManifest.files.resize(1);
        const Status s = target.push(site("https://localhost:1"), onlyManifest, content, progress);
        CPPUNIT_ASSERT(s.code() == StatusCode::InvalidArgument);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PeerTargetTest);
