#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>

#include "RemoteFilesTarget.h"

using namespace dad;

namespace {

// A far server that only notes what it is asked, in order.
class NotingRemote : public RemoteFiles {
public:
    explicit NotingRemote(std::vector<std::string>& notes) : notes_(notes) {}

    Status makeDirectories(const std::string& path) override {
        notes_.push_back("mkdir " + path);
        return Status::ok();
    }
    Status size(const std::string& path, std::optional<uint64_t>& bytes) override {
        notes_.push_back("size " + path);
        bytes.reset();
        return Status::ok();
    }
    Status upload(const std::string& path, uint64_t, const Reader&, const Progress&) override {
        notes_.push_back("upload " + path);
        return Status::ok();
    }
    Status download(const std::string& path, uint64_t, const Sink&) override {
        notes_.push_back("download " + path);
        return Status::ok();
    }
    void close() override { notes_.push_back("close"); }

private:
    std::vector<std::string>& notes_;
};

// Content that is gone from the store: the push stops at the first file.
class GoneContent : public ContentSource {
public:
    Status open(const std::string& sha256, std::unique_ptr<ReadStream>&) override {
        return Status::notFound("no blob " + sha256);
    }
};

class IgnoredProgress : public ForwardProgress {
public:
    void reached(uint64_t) override {}
};

}  // namespace

class RemoteFilesTargetTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RemoteFilesTargetTest);
    CPPUNIT_TEST(testEndpointOfEachFileServerType);
    CPPUNIT_TEST(testOtherSiteTypeIsRefused);
    CPPUNIT_TEST(testPushOpensTheSiteEndpointAndClosesAfterAFailedPush);
    CPPUNIT_TEST(testRefusedOpenIsReturnedAsItIs);
    CPPUNIT_TEST_SUITE_END();

    static Site site(const std::string& type, const std::string& url) {
        Site s;
        s.name = "far";
        s.type = type;
        s.url = url;
        s.user = "drop";
        s.secret = "pw";
        s.caFile = "ca.pem";
        s.hostKey = "SHA256:abc";
        return s;
    }

    static ForwardPackage package() {
        ForwardPackage p;
        p.pid = "local-P1";
        p.files = {{"a.txt", 5, "h1"}};
        return p;
    }

    static RemoteEndpoint endpointOf(const std::string& type, const std::string& url) {
        RemoteEndpoint endpoint;
        CPPUNIT_ASSERT(remoteEndpointOf(site(type, url), 9, endpoint));
        return endpoint;
    }

public:
    void testEndpointOfEachFileServerType() {
        using Protocol = RemoteEndpoint::Protocol;
        const RemoteEndpoint ftp = endpointOf("ftp", "ftp://files.example:2121/in");
        CPPUNIT_ASSERT(ftp.protocol == Protocol::Ftp);
        CPPUNIT_ASSERT_EQUAL(std::string("files.example"), ftp.host);
        CPPUNIT_ASSERT_EQUAL(uint16_t{2121}, ftp.port);
        CPPUNIT_ASSERT_EQUAL(std::string("drop"), ftp.user);
        CPPUNIT_ASSERT_EQUAL(std::string("pw"), ftp.secret);
        CPPUNIT_ASSERT_EQUAL(9, ftp.timeoutSeconds);
        const RemoteEndpoint ftps = endpointOf("ftps", "ftps://files.example/in");
        CPPUNIT_ASSERT(ftps.protocol == Protocol::Ftps);
        CPPUNIT_ASSERT_EQUAL(uint16_t{0}, ftps.port);  // the client's own: 21
        CPPUNIT_ASSERT_EQUAL(std::string("ca.pem"), ftps.caFile);
        const RemoteEndpoint sftp = endpointOf("sftp", "sftp://[::1]:2222/srv");
        CPPUNIT_ASSERT(sftp.protocol == Protocol::Sftp);
        CPPUNIT_ASSERT_EQUAL(std::string("SHA256:abc"), sftp.hostKey);
        CPPUNIT_ASSERT_EQUAL(std::string("::1"), sftp.host);
        CPPUNIT_ASSERT_EQUAL(uint16_t{2222}, sftp.port);
    }

    void testOtherSiteTypeIsRefused() {
        RemoteEndpoint endpoint;
        const Status s = remoteEndpointOf(site("peer", "https://peer.example"), 9, endpoint);
        CPPUNIT_ASSERT(s.code() == StatusCode::InvalidArgument);
    }

    void testPushOpensTheSiteEndpointAndClosesAfterAFailedPush() {
        std::vector<std::string> notes;
        RemoteEndpoint opened;
        RemoteFilesTarget target(
            7, [&](const RemoteEndpoint& endpoint, std::unique_ptr<RemoteFiles>& remote) {
                opened = endpoint;
                remote = std::make_unique<NotingRemote>(notes);
                return Status::ok();
            });
        GoneContent content;
        IgnoredProgress progress;
        const Status s =
            target.push(site("sftp", "sftp://h/srv/drop"), package(), content, progress);
        CPPUNIT_ASSERT(s.code() == StatusCode::NotFound);
        CPPUNIT_ASSERT_EQUAL(std::string("h"), opened.host);
        CPPUNIT_ASSERT_EQUAL(7, opened.timeoutSeconds);
        const std::vector<std::string> expected = {"mkdir /srv/drop/local-P1",
                                                   "size /srv/drop/local-P1/a.txt", "close"};
        CPPUNIT_ASSERT(expected == notes);
    }

    void testRefusedOpenIsReturnedAsItIs() {
        RemoteFilesTarget target(7, [](const RemoteEndpoint&, std::unique_ptr<RemoteFiles>&) {
            return Status::denied("h:21: 530 Login incorrect");
        });
        GoneContent content;
        IgnoredProgress progress;
        const Status s = target.push(site("ftp", "ftp://h/in"), package(), content, progress);
        CPPUNIT_ASSERT(s.code() == StatusCode::PermissionDenied);
        CPPUNIT_ASSERT_EQUAL(std::string("h:21: 530 Login incorrect"), s.message());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RemoteFilesTargetTest);
