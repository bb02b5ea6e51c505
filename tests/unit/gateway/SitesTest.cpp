#include <cppunit/extensions/HelperMacros.h>

#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "SecretFiles.h"
#include "Sites.h"

using dad::ForwardRequest;
using dad::SecretFiles;
using dad::SiteRecord;
using dad::Sites;
using dad::StatusCode;

class SitesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SitesTest);
    CPPUNIT_TEST(testSchemeMustMatchType);
    CPPUNIT_TEST(testSftpNeedsAHostKey);
    CPPUNIT_TEST(testNoPasswordInTheUrl);
    CPPUNIT_TEST(testBadNamesRefused);
    CPPUNIT_TEST(testForwardPayloadRoundTrip);
    CPPUNIT_TEST(testSecretFileIsPrivate);
    CPPUNIT_TEST_SUITE_END();

    static SiteRecord site(const std::string& type, const std::string& url,
                           const std::string& hostKey = "") {
        SiteRecord s;
        s.name = "far";
        s.type = type;
        s.url = url;
        s.hostKey = hostKey;
        return s;
    }

    static const std::string kKey;

public:
    void testSchemeMustMatchType() {
        CPPUNIT_ASSERT(Sites::check(site("ftp", "ftp://h:2121/in")));
        CPPUNIT_ASSERT(Sites::check(site("ftps", "ftps://h/in")));
        CPPUNIT_ASSERT(Sites::check(site("peer", "https://peer.example:8443")));
        CPPUNIT_ASSERT(Sites::check(site("sftp", "sftp://h/srv/in", kKey)));
        CPPUNIT_ASSERT(!Sites::check(site("ftps", "ftp://h/in")));
        CPPUNIT_ASSERT(!Sites::check(site("peer", "http://peer.example")));
        CPPUNIT_ASSERT(!Sites::check(site("ftp", "sftp://h/in")));
        CPPUNIT_ASSERT(!Sites::check(site("smb", "smb://h/in")));
        CPPUNIT_ASSERT(!Sites::check(site("ftp", "ftp:///in")));
    }
    void testSftpNeedsAHostKey() {
        dad::Status s = Sites::check(site("sftp", "sftp://h/in"));
        CPPUNIT_ASSERT(s.code() == StatusCode::InvalidArgument);
        CPPUNIT_ASSERT(s.message().find("--host-key") != std::string::npos);
        CPPUNIT_ASSERT(!Sites::check(site("sftp", "sftp://h/in", "MD5:aa:bb")));
        CPPUNIT_ASSERT(!Sites::check(site("sftp", "sftp://h/in", "SHA256:short")));
        CPPUNIT_ASSERT(!Sites::check(site("ftp", "ftp://h/in", kKey)));
    }
    void testNoPasswordInTheUrl() {
        CPPUNIT_ASSERT(!Sites::check(site("ftp", "ftp://u:pw@h/in")));
        CPPUNIT_ASSERT(!Sites::check(site("ftp", "ftp://h/in?x=1")));
    }
    void testBadNamesRefused() {
        for (const char* name : {"", ".", "..", ".hidden", "a/b", "a b", "x@y"}) {
            CPPUNIT_ASSERT_MESSAGE(name, !Sites::checkName(name));
        }
        CPPUNIT_ASSERT(Sites::checkName("partner-1.example_site"));
    }
    void testForwardPayloadRoundTrip() {
        const std::string payload = Sites::forwardPayload({"local-ABC", "far"});
        ForwardRequest back;
        CPPUNIT_ASSERT(Sites::parseForwardPayload(payload, back));
        CPPUNIT_ASSERT_EQUAL(std::string("local-ABC"), back.package);
        CPPUNIT_ASSERT_EQUAL(std::string("far"), back.site);
        CPPUNIT_ASSERT(!Sites::parseForwardPayload("local-ABC far", back));
        CPPUNIT_ASSERT(!Sites::parseForwardPayload("{\"package\": \"p\"}", back));
    }
    void testSecretFileIsPrivate() {
        char dir[] = "/tmp/dad-sites-test-XXXXXX";
        CPPUNIT_ASSERT(mkdtemp(dir) != nullptr);
        CPPUNIT_ASSERT(Sites::saveSecret(dir, "far", "pw\n1"));
        std::string secret;
        CPPUNIT_ASSERT(Sites::loadSecret(dir, "far", secret));
        CPPUNIT_ASSERT_EQUAL(std::string("pw\n1"), secret);
        struct stat st {};
        CPPUNIT_ASSERT_EQUAL(0, ::stat((std::string(dir) + "/site-secrets/far").c_str(), &st));
        CPPUNIT_ASSERT_EQUAL(0600u, static_cast<unsigned>(st.st_mode & 0777));
        Sites::forget(dir, "far");
        CPPUNIT_ASSERT(Sites::loadSecret(dir, "far", secret));
        CPPUNIT_ASSERT(secret.empty());
        CPPUNIT_ASSERT(!SecretFiles(dir, "x").save("../escape", "no"));
        const int removed = std::system((std::string("rm -rf ") + dir).c_str());
        CPPUNIT_ASSERT_EQUAL(0, removed);
    }
};

const std::string SitesTest::kKey = "SHA256:" + std::string(43, 'A');

CPPUNIT_TEST_SUITE_REGISTRATION(SitesTest);
