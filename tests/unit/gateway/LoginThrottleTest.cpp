// LoginThrottle: the failed-login rule every protocol shares (delay, limit
// per address, window).
#include <cppunit/extensions/HelperMacros.h>

#include <chrono>

#include "LoginThrottle.h"

using dad::LoginThrottle;
using dad::LoginThrottleOptions;

class LoginThrottleTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LoginThrottleTest);
    CPPUNIT_TEST(testAddressBlockedAfterMaxFailures);
    CPPUNIT_TEST(testBlockEndsWhenFailuresLeaveTheWindow);
    CPPUNIT_TEST(testAddressesCountedApart);
    CPPUNIT_TEST(testFailureIsDelayed);
    CPPUNIT_TEST(testZeroMaxFailuresNeverBlocks);
    CPPUNIT_TEST_SUITE_END();

    int64_t now_ = 1000;

    LoginThrottle throttle(int maxFailures, int delayMs = 0) {
        LoginThrottleOptions o;
        o.failedDelayMs = delayMs;
        o.maxFailures = maxFailures;
        o.windowSeconds = 600;
        return LoginThrottle(o, [this] { return now_; });
    }

public:
    void testAddressBlockedAfterMaxFailures() {
        LoginThrottle t = throttle(3);
        for (int i = 0; i < 3; ++i) {
            CPPUNIT_ASSERT(t.admit("192.0.2.1"));
            t.failed("192.0.2.1");
        }
        dad::Status s = t.admit("192.0.2.1");
        CPPUNIT_ASSERT(!s);
        CPPUNIT_ASSERT(s.code() == dad::StatusCode::Busy);
        CPPUNIT_ASSERT(s.message().find("too many failed logins") != std::string::npos);
    }
    void testBlockEndsWhenFailuresLeaveTheWindow() {
        LoginThrottle t = throttle(2);
        t.failed("192.0.2.1");
        now_ += 300;
        t.failed("192.0.2.1");
        CPPUNIT_ASSERT(!t.admit("192.0.2.1"));
        now_ += 299;  // the first failure is 599 s old
        CPPUNIT_ASSERT(!t.admit("192.0.2.1"));
        now_ += 1;  // 600 s: out of the window, one failure left
        CPPUNIT_ASSERT(t.admit("192.0.2.1"));
        t.failed("192.0.2.1");
        CPPUNIT_ASSERT(!t.admit("192.0.2.1"));
    }
    void testAddressesCountedApart() {
        LoginThrottle t = throttle(1);
        t.failed("192.0.2.1");
        CPPUNIT_ASSERT(!t.admit("192.0.2.1"));
        CPPUNIT_ASSERT(t.admit("192.0.2.2"));
        CPPUNIT_ASSERT(t.admit("2001:db8::1"));
    }
    void testFailureIsDelayed() {
        LoginThrottle t = throttle(5, 150);
        const auto before = std::chrono::steady_clock::now();
        t.failed("192.0.2.1");
        // A lower bound only: sleeping never takes less.
        CPPUNIT_ASSERT(std::chrono::steady_clock::now() - before >= std::chrono::milliseconds(150));
    }
    void testZeroMaxFailuresNeverBlocks() {
        LoginThrottle t = throttle(0);
        for (int i = 0; i < 50; ++i)
            t.failed("192.0.2.1");
        CPPUNIT_ASSERT(t.admit("192.0.2.1"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LoginThrottleTest);
