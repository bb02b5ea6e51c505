#include <cppunit/extensions/HelperMacros.h>

#include <libssh/libssh.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <sys/stat.h>
#include <cstdlib>
#include <string>
#include <vector>

#include "AtomicFile.h"
#include "HostKeys.h"

class HostKeysTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HostKeysTest);
    CPPUNIT_TEST(testKeysGeneratedOnceAndReused);
    CPPUNIT_TEST(testKeyFilesAreOwnerOnly);
    CPPUNIT_TEST(testKeysLoadWithExpectedTypes);
    CPPUNIT_TEST(testGarbageKeyIsRefusedNotOverwritten);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;

    std::string keyDir() const { return dir_ + "/keys"; }

    static std::string read(const std::string& path) {
        std::string content;
        CPPUNIT_ASSERT(dad::readWholeFile(path, content));
        return content;
    }

public:
    void setUp() override {
        char pattern[] = "/tmp/dad-hostkeys-XXXXXX";
        CPPUNIT_ASSERT(::mkdtemp(pattern) != nullptr);
        dir_ = pattern;
    }
    void tearDown() override {
        std::string command = "rm -rf '" + dir_ + "'";
        CPPUNIT_ASSERT_EQUAL(0, std::system(command.c_str()));
    }

    void testKeysGeneratedOnceAndReused() {
        std::vector<std::string> first, second;
        CPPUNIT_ASSERT(dad::ensureHostKeys(keyDir(), first));
        CPPUNIT_ASSERT_EQUAL(size_t(2), first.size());
        CPPUNIT_ASSERT_EQUAL(keyDir() + "/ssh_host_ed25519_key", first[0]);
        CPPUNIT_ASSERT_EQUAL(keyDir() + "/ssh_host_rsa_key", first[1]);
        std::string ed = read(first[0]), rsa = read(first[1]);

        CPPUNIT_ASSERT(dad::ensureHostKeys(keyDir(), second));
        CPPUNIT_ASSERT(first == second);
        CPPUNIT_ASSERT(ed == read(second[0]));
        CPPUNIT_ASSERT(rsa == read(second[1]));
    }

    void testKeyFilesAreOwnerOnly() {
        std::vector<std::string> files;
        CPPUNIT_ASSERT(dad::ensureHostKeys(keyDir(), files));
        for (const std::string& file : files) {
            struct stat st;
            CPPUNIT_ASSERT_EQUAL(0, ::stat(file.c_str(), &st));
            CPPUNIT_ASSERT_EQUAL(0600, int(st.st_mode & 07777));
        }
        struct stat st;
        CPPUNIT_ASSERT_EQUAL(0, ::stat(keyDir().c_str(), &st));
        CPPUNIT_ASSERT_EQUAL(0700, int(st.st_mode & 07777));
    }

    void testKeysLoadWithExpectedTypes() {
        std::vector<std::string> files;
        CPPUNIT_ASSERT(dad::ensureHostKeys(keyDir(), files));
        ssh_key key = nullptr;
        CPPUNIT_ASSERT_EQUAL(
            SSH_OK, ssh_pki_import_privkey_file(files[0].c_str(), nullptr, nullptr, nullptr, &key));
        CPPUNIT_ASSERT_EQUAL(SSH_KEYTYPE_ED25519, ssh_key_type(key));
        ssh_key_free(key);
        key = nullptr;
        CPPUNIT_ASSERT_EQUAL(
            SSH_OK, ssh_pki_import_privkey_file(files[1].c_str(), nullptr, nullptr, nullptr, &key));
        CPPUNIT_ASSERT_EQUAL(SSH_KEYTYPE_RSA, ssh_key_type(key));
        ssh_key_free(key);
        // libssh 0.10 has no public key-size call; the RSA key is PEM, so ask OpenSSL.
        std::string pem = read(files[1]);
        BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
        EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        CPPUNIT_ASSERT(pkey != nullptr);
        CPPUNIT_ASSERT_EQUAL(3072, EVP_PKEY_get_bits(pkey));
        EVP_PKEY_free(pkey);
    }

    void testGarbageKeyIsRefusedNotOverwritten() {
        CPPUNIT_ASSERT_EQUAL(0, ::mkdir(keyDir().c_str(), 0700));
        std::string path = keyDir() + "/ssh_host_ed25519_key";
        CPPUNIT_ASSERT(dad::writeFileAtomically(path, "not a key\n", 0600));
        std::vector<std::string> files;
        dad::Status status = dad::ensureHostKeys(keyDir(), files);
        CPPUNIT_ASSERT(!status);
        CPPUNIT_ASSERT(files.empty());
        CPPUNIT_ASSERT_EQUAL(std::string("not a key\n"), read(path));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HostKeysTest);
