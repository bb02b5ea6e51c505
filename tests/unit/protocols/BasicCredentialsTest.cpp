// readBasicCredentials: what WebDAV and the peer API take from an
// Authorization header.
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPRequest.h>

#include "BasicCredentials.h"

using dad::readBasicCredentials;

class BasicCredentialsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BasicCredentialsTest);
    CPPUNIT_TEST(testUserAndPasswordRead);
    CPPUNIT_TEST(testPasswordMayHoldAColon);
    CPPUNIT_TEST(testNoHeaderIsNoCredentials);
    CPPUNIT_TEST(testOtherSchemeIsNoCredentials);
    CPPUNIT_TEST(testUndecodableValueGivesNoUser);
    CPPUNIT_TEST_SUITE_END();

    static Poco::Net::HTTPRequest withAuthorization(const std::string& value) {
        Poco::Net::HTTPRequest request("GET", "/");
        request.set("Authorization", value);
        return request;
    }

public:
    void testUserAndPasswordRead() {
        Poco::Net::HTTPRequest request("GET", "/");
        Poco::Net::HTTPBasicCredentials("alice", "s3cret").authenticate(request);
        std::string user, password;
        CPPUNIT_ASSERT(readBasicCredentials(request, user, password));
        CPPUNIT_ASSERT_EQUAL(std::string("alice"), user);
        CPPUNIT_ASSERT_EQUAL(std::string("s3cret"), password);
    }

    void testPasswordMayHoldAColon() {
        std::string user, password;
        // "bob:a:b" in base64
        CPPUNIT_ASSERT(
            readBasicCredentials(withAuthorization("Basic Ym9iOmE6Yg=="), user, password));
        CPPUNIT_ASSERT_EQUAL(std::string("bob"), user);
        CPPUNIT_ASSERT_EQUAL(std::string("a:b"), password);
    }

    void testNoHeaderIsNoCredentials() {
        std::string user, password;
        CPPUNIT_ASSERT(!readBasicCredentials(Poco::Net::HTTPRequest("GET", "/"), user, password));
    }

    void testOtherSchemeIsNoCredentials() {
        std::string user, password;
        CPPUNIT_ASSERT(!readBasicCredentials(withAuthorization("Bearer abc"), user, password));
    }

    void testUndecodableValueGivesNoUser() {
        // Poco's decoder skips what is not base64; either way no user name
        // comes out for the Authenticator to try.
        std::string user, password;
        const bool read = readBasicCredentials(withAuthorization("Basic ***"), user, password);
        CPPUNIT_ASSERT(!read || user.empty());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(BasicCredentialsTest);
