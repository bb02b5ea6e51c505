#include <cppunit/extensions/HelperMacros.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>
#include <unistd.h>
#include <cstdlib>
#include <string>

#include "AtomicFile.h"
#include "TlsCertificate.h"

class TlsCertificateTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TlsCertificateTest);
    CPPUNIT_TEST(testGeneratedOnceAndReused);
    CPPUNIT_TEST(testKeyFileIsOwnerOnly);
    CPPUNIT_TEST(testCertificateHasNamesAndValidity);
    CPPUNIT_TEST(testNumericCommonNameBecomesIpEntry);
    CPPUNIT_TEST(testMismatchedPairIsRefusedNotOverwritten);
    CPPUNIT_TEST(testMissingCertificateRegeneratesPair);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;

    std::string cert() const { return dir_ + "/tls.crt"; }
    std::string key() const { return dir_ + "/tls.key"; }

    static std::string read(const std::string& path) {
        std::string content;
        CPPUNIT_ASSERT(dad::readWholeFile(path, content));
        return content;
    }

    static X509* parse(const std::string& pem) {
        BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
        X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        CPPUNIT_ASSERT(x != nullptr);
        return x;
    }

    // The SAN entries as "DNS:name" / "IP:a.b.c.d".
    static std::string altNames(X509* x) {
        auto* names = static_cast<GENERAL_NAMES*>(
            X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
        CPPUNIT_ASSERT(names != nullptr);
        std::string out;
        for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
            const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
            if (!out.empty()) {
                out += ",";
            }
            if (name->type == GEN_DNS) {
                const ASN1_IA5STRING* s = name->d.dNSName;
                out += "DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                            ASN1_STRING_length(s));
            } else if (name->type == GEN_IPADD) {
                const ASN1_OCTET_STRING* s = name->d.iPAddress;
                const unsigned char* b = ASN1_STRING_get0_data(s);
                out += "IP:";
                for (int j = 0; j < ASN1_STRING_length(s); ++j) {
                    out += (j ? "." : "") + std::to_string(b[j]);
                }
            }
        }
        GENERAL_NAMES_free(names);
        return out;
    }

public:
    void setUp() override {
        char pattern[] = "/tmp/dad-tlscert-XXXXXX";
        CPPUNIT_ASSERT(::mkdtemp(pattern) != nullptr);
        dir_ = pattern;
    }
    void tearDown() override {
        std::string command = "rm -rf '" + dir_ + "'";
        CPPUNIT_ASSERT_EQUAL(0, std::system(command.c_str()));
    }

    void testGeneratedOnceAndReused() {
        CPPUNIT_ASSERT(dad::ensureSelfSignedCertificate(cert(), key(), "gw.example.com"));
        std::string certPem = read(cert()), keyPem = read(key());
        CPPUNIT_ASSERT(dad::ensureSelfSignedCertificate(cert(), key(), "gw.example.com"));
        CPPUNIT_ASSERT(certPem == read(cert()));
        CPPUNIT_ASSERT(keyPem == read(key()));
    }

    void testKeyFileIsOwnerOnly() {
        CPPUNIT_ASSERT(dad::ensureSelfSignedCertificate(cert(), key(), "gw.example.com"));
        struct stat st;
        CPPUNIT_ASSERT_EQUAL(0, ::stat(key().c_str(), &st));
        CPPUNIT_ASSERT_EQUAL(0600, int(st.st_mode & 07777));
        CPPUNIT_ASSERT_EQUAL(0, ::stat(cert().c_str(), &st));
        CPPUNIT_ASSERT_EQUAL(0644, int(st.st_mode & 07777));
    }

    void testCertificateHasNamesAndValidity() {
        CPPUNIT_ASSERT(dad::ensureSelfSignedCertificate(cert(), key(), "gw.example.com"));
        X509* x = parse(read(cert()));
        CPPUNIT_ASSERT_EQUAL(std::string("DNS:localhost,IP:127.0.0.1,DNS:gw.example.com"),
                             altNames(x));
        char cn[256] = {0};
        X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
        CPPUNIT_ASSERT_EQUAL(std::string("gw.example.com"), std::string(cn));
        int days = 0, seconds = 0;
        CPPUNIT_ASSERT_EQUAL(
            1, ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(x), X509_get0_notAfter(x)));
        CPPUNIT_ASSERT(days >= 825 && days <= 826);
        // Self-signed: its own key verifies its signature.
        EVP_PKEY* pub = X509_get0_pubkey(x);
        CPPUNIT_ASSERT_EQUAL(1, X509_verify(x, pub));
        CPPUNIT_ASSERT_EQUAL(EVP_PKEY_EC, EVP_PKEY_base_id(pub));
        X509_free(x);
    }

    void testNumericCommonNameBecomesIpEntry() {
        CPPUNIT_ASSERT(dad::ensureSelfSignedCertificate(cert(), key(), "10.1.2.3"));
        X509* x = parse(read(cert()));
        CPPUNIT_ASSERT_EQUAL(std::string("DNS:localhost,IP:127.0.0.1,IP:10.1.2.3"), altNames(x));
        X509_free(x);
    }

    void testMismatchedPairIsRefusedNotOverwritten() {
        CPPUNIT_ASSERT(dad::ensureSelfSignedCertificate(cert(), key(), "a.example"));
        std::string otherCert = dir_ + "/other.crt", otherKey = dir_ + "/other.key";
        CPPUNIT_ASSERT(dad::ensureSelfSignedCertificate(otherCert, otherKey, "b.example"));
        std::string certPem = read(cert());
        CPPUNIT_ASSERT(!dad::ensureSelfSignedCertificate(cert(), otherKey, "a.example"));
        CPPUNIT_ASSERT(certPem == read(cert()));
    }

    void testMissingCertificateRegeneratesPair() {
        CPPUNIT_ASSERT(dad::ensureSelfSignedCertificate(cert(), key(), "a.example"));
        std::string keyPem = read(key());
        CPPUNIT_ASSERT_EQUAL(0, ::unlink(cert().c_str()));
        CPPUNIT_ASSERT(dad::ensureSelfSignedCertificate(cert(), key(), "a.example"));
        CPPUNIT_ASSERT(keyPem != read(key()));
        CPPUNIT_ASSERT(dad::ensureSelfSignedCertificate(cert(), key(), "a.example"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TlsCertificateTest);
