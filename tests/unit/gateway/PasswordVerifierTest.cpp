#include <cppunit/extensions/HelperMacros.h>

#include "PasswordVerifier.h"
#include "Secrets.h"

class PasswordVerifierTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PasswordVerifierTest);
    CPPUNIT_TEST(testRightPasswordAcceptedAgain);
    CPPUNIT_TEST(testWrongPasswordRefusedAfterARightOne);
    CPPUNIT_TEST(testChangedHashIsNotAnsweredFromMemory);
    CPPUNIT_TEST(testOtherUserIsNotAnsweredFromMemory);
    CPPUNIT_TEST(testRememberedPerScope);
    CPPUNIT_TEST_SUITE_END();

public:
    void testRightPasswordAcceptedAgain() {
        dad::PasswordVerifier verifier;
        const std::string hash = dad::hashPassword("s3cret");
        CPPUNIT_ASSERT(verifier.verify("alice", "s3cret", hash));
        CPPUNIT_ASSERT(verifier.verify("alice", "s3cret", hash));
    }
    void testWrongPasswordRefusedAfterARightOne() {
        dad::PasswordVerifier verifier;
        const std::string hash = dad::hashPassword("s3cret");
        CPPUNIT_ASSERT(verifier.verify("alice", "s3cret", hash));
        CPPUNIT_ASSERT(!verifier.verify("alice", "s3cret ", hash));
        CPPUNIT_ASSERT(!verifier.verify("alice", "", hash));
    }
    void testChangedHashIsNotAnsweredFromMemory() {
        dad::PasswordVerifier verifier;
        CPPUNIT_ASSERT(verifier.verify("alice", "old", dad::hashPassword("old")));
        // After `user passwd`, the old password must fail against the new hash.
        CPPUNIT_ASSERT(!verifier.verify("alice", "old", dad::hashPassword("new")));
    }
    void testOtherUserIsNotAnsweredFromMemory() {
        dad::PasswordVerifier verifier;
        const std::string hash = dad::hashPassword("shared");
        CPPUNIT_ASSERT(verifier.verify("alice", "shared", hash));
        CPPUNIT_ASSERT(!verifier.verify("bob", "shared", "scrypt$bad"));
    }
    void testRememberedPerScope() {
        dad::PasswordVerifier verifier;
        const std::string hash = dad::hashPassword("s3cret");
        bool remembered = true;
        CPPUNIT_ASSERT(verifier.verify("alice", "s3cret", hash, "192.0.2.1", &remembered));
        CPPUNIT_ASSERT(!remembered);
        CPPUNIT_ASSERT(verifier.verify("alice", "s3cret", hash, "192.0.2.1", &remembered));
        CPPUNIT_ASSERT(remembered);
        // Another client address checks the slow hash again.
        CPPUNIT_ASSERT(verifier.verify("alice", "s3cret", hash, "192.0.2.2", &remembered));
        CPPUNIT_ASSERT(!remembered);
        CPPUNIT_ASSERT(!verifier.verify("alice", "wrong", hash, "192.0.2.1", &remembered));
        CPPUNIT_ASSERT(!remembered);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PasswordVerifierTest);
