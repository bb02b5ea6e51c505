#include <cppunit/extensions/HelperMacros.h>

#include "FetchAddress.h"
#include "FetchAdmission.h"

using dad::FetchAddress;
using dad::FetchAdmission;
using dad::FetchRequest;
using dad::StatusCode;
using Poco::Net::IPAddress;

class FetchAddressTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FetchAddressTest);
    CPPUNIT_TEST(testPrivateIpv4Ranges);
    CPPUNIT_TEST(testPublicIpv4);
    CPPUNIT_TEST(testPrivateIpv6Ranges);
    CPPUNIT_TEST(testIpv6EmbeddingPrivateIpv4);
    CPPUNIT_TEST(testPublicIpv6);
    CPPUNIT_TEST(testResolveLiteralRefusedUnlessAllowed);
    CPPUNIT_TEST(testNameFromUrl);
    CPPUNIT_TEST_SUITE_END();

    static bool priv(const std::string& text) { return FetchAddress::isPrivate(IPAddress(text)); }

public:
    void testPrivateIpv4Ranges() {
        for (const char* a :
             {"0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "127.0.0.1", "127.8.9.10",
              "169.254.169.254", "169.254.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
              "100.64.0.1", "100.127.255.255", "224.0.0.1", "255.255.255.255", "240.0.0.1"}) {
            CPPUNIT_ASSERT_MESSAGE(a, priv(a));
        }
    }
    void testPublicIpv4() {
        for (const char* a :
             {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1",
              "169.253.1.1", "192.167.1.1", "11.0.0.1"}) {
            CPPUNIT_ASSERT_MESSAGE(a, !priv(a));
        }
    }
    void testPrivateIpv6Ranges() {
        for (const char* a :
             {"::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "ff02::1"}) {
            CPPUNIT_ASSERT_MESSAGE(a, priv(a));
        }
    }
    void testIpv6EmbeddingPrivateIpv4() {
        for (const char* a : {"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
                              "64:ff9b::a00:1", "2002:7f00:1::1", "::127.0.0.1"}) {
            CPPUNIT_ASSERT_MESSAGE(a, priv(a));
        }
        CPPUNIT_ASSERT(!priv("::ffff:8.8.8.8"));
    }
    void testPublicIpv6() {
        for (const char* a : {"2a00:1450:4001::1", "2606:4700::1111", "fec0::1"}) {
            const bool expected = std::string(a) == "fec0::1";  // site-local: deprecated, refused
            CPPUNIT_ASSERT_MESSAGE(a, priv(a) == expected);
        }
    }
    void testResolveLiteralRefusedUnlessAllowed() {
        IPAddress address;
        dad::Status s = FetchAddress::resolve("127.0.0.1", false, address);
        CPPUNIT_ASSERT(s.code() == StatusCode::PermissionDenied);
        CPPUNIT_ASSERT(s.message().find("127.0.0.1") != std::string::npos);
        CPPUNIT_ASSERT(FetchAddress::resolve("169.254.169.254", false, address).code() ==
                       StatusCode::PermissionDenied);
        CPPUNIT_ASSERT(FetchAddress::resolve("::1", false, address).code() ==
                       StatusCode::PermissionDenied);
        CPPUNIT_ASSERT(FetchAddress::resolve("127.0.0.1", true, address));
        CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), address.toString());
        CPPUNIT_ASSERT(FetchAddress::resolve("localhost", false, address).code() ==
                       StatusCode::PermissionDenied);
    }
    // The stored name, with the fallback a job without a request file uses.
    static std::string nameFor(const std::string& url, int64_t jobId) {
        return FetchAdmission::nameFor(url, FetchAdmission::fallbackName(FetchRequest(), jobId));
    }
    void testNameFromUrl() {
        CPPUNIT_ASSERT_EQUAL(std::string("a.bin"), nameFor("http://h/x/a.bin?q=1", 7));
        CPPUNIT_ASSERT_EQUAL(std::string("a b.txt"), nameFor("http://h/a%20b.txt", 7));
        CPPUNIT_ASSERT_EQUAL(std::string("fetched-7"), nameFor("http://h/", 7));
        CPPUNIT_ASSERT_EQUAL(std::string("fetched-7"), nameFor("http://h", 7));
        CPPUNIT_ASSERT_EQUAL(std::string("fetched-7"), nameFor("http://h/.hidden", 7));
        CPPUNIT_ASSERT_EQUAL(std::string("fetched-7"), nameFor("http://h/a%00b", 7));
        CPPUNIT_ASSERT_EQUAL(std::string("fetched-7"), nameFor("http://h/a%2Fb/..", 7));
        FetchRequest fromFile;
        fromFile.request = "nightly.fetch";
        CPPUNIT_ASSERT_EQUAL(
            std::string("nightly"),
            FetchAdmission::nameFor("http://h/", FetchAdmission::fallbackName(fromFile, 7)));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(FetchAddressTest);
