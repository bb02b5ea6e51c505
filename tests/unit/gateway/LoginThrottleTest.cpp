// LoginThrottle: the failed-login rule every protocol shares (delay, limits
// per address and per account, window, trusted networks); and IpNetwork.
#include <cppunit/extensions/HelperMacros.h>

#include <chrono>

#include "IpNetwork.h"
#include "LoginThrottle.h"

using dad::IpNetwork;
using dad::LoginThrottle;
using dad::LoginThrottleOptions;

class LoginThrottleTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LoginThrottleTest);
    CPPUNIT_TEST(testAddressReachesItsLimitOnceThenCountsAgain);
    CPPUNIT_TEST(testFailuresLeaveTheWindow);
    CPPUNIT_TEST(testAddressesCountedApart);
    CPPUNIT_TEST(testAccountCountedAcrossAddresses);
    CPPUNIT_TEST(testTrustedNetworksAreNeverCounted);
    CPPUNIT_TEST(testFailureIsDelayed);
    CPPUNIT_TEST(testZeroLimitsNeverReach);
    CPPUNIT_TEST(testIpNetworks);
    CPPUNIT_TEST_SUITE_END();

    int64_t now_ = 1000;

    LoginThrottle throttle(int maxFailures, int delayMs = 0, int maxAccountFailures = 100,
                           const std::string& trusted = "") {
        LoginThrottleOptions o;
        o.failedDelayMs = delayMs;
        o.maxFailures = maxFailures;
        o.maxAccountFailures = maxAccountFailures;
        o.windowSeconds = 600;
        o.trustedNetworks = trusted;
        return LoginThrottle(o, [this] { return now_; });
    }

public:
    void testAddressReachesItsLimitOnceThenCountsAgain() {
        LoginThrottle t = throttle(3);
        CPPUNIT_ASSERT(!t.failed("192.0.2.1", "alice").address);
        CPPUNIT_ASSERT(!t.failed("192.0.2.1", "bob").address);
        CPPUNIT_ASSERT(t.failed("192.0.2.1", "carol").address);
        CPPUNIT_ASSERT(!t.failed("192.0.2.1", "alice").address);  // a fresh count
    }
    void testFailuresLeaveTheWindow() {
        LoginThrottle t = throttle(2);
        t.failed("192.0.2.1", "a");
        now_ += 601;
        CPPUNIT_ASSERT(!t.failed("192.0.2.1", "a").address);
        CPPUNIT_ASSERT(t.failed("192.0.2.1", "a").address);
    }
    void testAddressesCountedApart() {
        LoginThrottle t = throttle(1);
        CPPUNIT_ASSERT(t.failed("192.0.2.1", "a").address);
        CPPUNIT_ASSERT(t.failed("192.0.2.2", "a").address);
        CPPUNIT_ASSERT(t.failed("2001:db8::1", "a").address);
    }
    void testAccountCountedAcrossAddresses() {
        LoginThrottle t = throttle(100, 0, 3);
        CPPUNIT_ASSERT(!t.failed("192.0.2.1", "alice").account);
        CPPUNIT_ASSERT(!t.failed("192.0.2.2", "alice").account);
        CPPUNIT_ASSERT(!t.failed("192.0.2.3", "bob").account);
        const LoginThrottle::Reached r = t.failed("192.0.2.4", "alice");
        CPPUNIT_ASSERT(r.account);
        CPPUNIT_ASSERT(!r.address);
    }
    void testTrustedNetworksAreNeverCounted() {
        LoginThrottle t = throttle(1, 0, 1, "10.0.0.0/8, 2001:db8::/32");
        CPPUNIT_ASSERT(t.trusted("10.1.2.3"));
        CPPUNIT_ASSERT(t.trusted("::ffff:10.9.9.9"));
        CPPUNIT_ASSERT(t.trusted("2001:db8:1::5"));
        CPPUNIT_ASSERT(!t.trusted("11.0.0.1"));
        for (int i = 0; i < 5; ++i) {
            const LoginThrottle::Reached r = t.failed("10.1.2.3", "alice");
            CPPUNIT_ASSERT(!r.address && !r.account);
        }
        CPPUNIT_ASSERT(t.failed("11.0.0.1", "alice").account);
    }
    void testFailureIsDelayed() {
        LoginThrottle t = throttle(5, 150);
        const auto before = std::chrono::steady_clock::now();
        t.failed("192.0.2.1", "a");
        // A lower bound only: sleeping never takes less.
        CPPUNIT_ASSERT(std::chrono::steady_clock::now() - before >= std::chrono::milliseconds(150));
    }
    void testZeroLimitsNeverReach() {
        LoginThrottle t = throttle(0, 0, 0);
        for (int i = 0; i < 50; ++i) {
            const LoginThrottle::Reached r = t.failed("192.0.2.1", "a");
            CPPUNIT_ASSERT(!r.address && !r.account);
        }
    }
    void testIpNetworks() {
        IpNetwork n;
        CPPUNIT_ASSERT(IpNetwork::parse("192.0.2.128/25", n));
        CPPUNIT_ASSERT(n.contains("192.0.2.200"));
        CPPUNIT_ASSERT(!n.contains("192.0.2.127"));
        CPPUNIT_ASSERT(!n.contains("2001:db8::1"));
        CPPUNIT_ASSERT(!n.contains("not an address"));
        CPPUNIT_ASSERT(IpNetwork::parse("127.0.0.1", n));
        CPPUNIT_ASSERT(n.contains("127.0.0.1") && !n.contains("127.0.0.2"));
        CPPUNIT_ASSERT(IpNetwork::parse("0.0.0.0/0", n) && n.contains("8.8.8.8"));
        for (const char* bad :
             {"192.0.2.0/33", "192.0.2/24", "host.example", "::1/129", "1.2.3.4/", "1.2.3.4/x"}) {
            CPPUNIT_ASSERT_MESSAGE(bad, !IpNetwork::parse(bad, n));
        }
        std::vector<IpNetwork> list;
        CPPUNIT_ASSERT(IpNetwork::parseList(" 10.0.0.0/8,192.168.1.0/24  ::1 ", list));
        CPPUNIT_ASSERT_EQUAL(size_t(3), list.size());
        CPPUNIT_ASSERT(IpNetwork::parseList("", list) && list.empty());
        CPPUNIT_ASSERT(!IpNetwork::parseList("10.0.0.0/8, nonsense", list));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LoginThrottleTest);
