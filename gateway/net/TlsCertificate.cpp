#include "TlsCertificate.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>
#include <memory>

#include "AtomicFile.h"

namespace dad {

namespace {

constexpr long kValidDays = 825;  // the longest validity Apple platforms accept

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;

bool fileExists(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

Status checkExistingPair(const std::string& certFile, const std::string& keyFile) {
    std::string certPem, keyPem;
    Status status = readWholeFile(certFile, certPem);
    if (status) {
        status = readWholeFile(keyFile, keyPem);
    }
    if (!status) {
        return status;
    }
    BioPtr certBio(BIO_new_mem_buf(certPem.data(), static_cast<int>(certPem.size())));
    BioPtr keyBio(BIO_new_mem_buf(keyPem.data(), static_cast<int>(keyPem.size())));
    if (!certBio || !keyBio) {
        return Status::failure("out of memory reading the TLS certificate");
    }
    X509Ptr cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        return Status::invalid(certFile + " is not a PEM certificate");
    }
    PkeyPtr key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    if (!key) {
        return Status::invalid(keyFile + " is not an unencrypted PEM private key");
    }
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
        return Status::invalid(keyFile + " does not belong to " + certFile);
    }
    return Status::ok();
}

bool addName(GENERAL_NAMES* names, const std::string& value) {
    GENERAL_NAME* name = GENERAL_NAME_new();
    if (name == nullptr) {
        return false;
    }
    // A numeric address goes in as an IP entry, anything else as a DNS name.
    if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(value.c_str())) {
        GENERAL_NAME_set0_value(name, GEN_IPADD, ip);
    } else {
        ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
        if (dns == nullptr || !ASN1_STRING_set(dns, value.data(), static_cast<int>(value.size()))) {
            ASN1_IA5STRING_free(dns);
            GENERAL_NAME_free(name);
            return false;
        }
        GENERAL_NAME_set0_value(name, GEN_DNS, dns);
    }
    if (!sk_GENERAL_NAME_push(names, name)) {
        GENERAL_NAME_free(name);
        return false;
    }
    return true;
}

bool addSubjectAltNames(X509* cert, const std::string& commonName) {
    NamesPtr names(sk_GENERAL_NAME_new_null());
    if (!names || !addName(names.get(), "localhost") || !addName(names.get(), "127.0.0.1")) {
        return false;
    }
    if (commonName != "localhost" && commonName != "127.0.0.1" &&
        !addName(names.get(), commonName)) {
        return false;
    }
    return X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

bool addExtension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) {
        return false;
    }
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok == 1;
}

bool setRandomSerial(X509* cert) {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        return false;
    }
    bytes[0] &= 0x7f;  // a serial number is a positive INTEGER
    bytes[0] |= 0x01;  // and non-zero, so it keeps all 16 bytes
    BnPtr bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
    return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

X509Ptr makeCertificate(EVP_PKEY* key, const std::string& commonName) {
    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1 || !setRandomSerial(cert.get())) {
        return nullptr;
    }
    // Backdated an hour so a client whose clock runs slightly behind accepts it.
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidDays * 24 * 3600)) {
        return nullptr;
    }
    X509_NAME* name = X509_get_subject_name(cert.get());
    const auto* cn = reinterpret_cast<const unsigned char*>(commonName.c_str());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key) != 1) {
        return nullptr;
    }
    if (!addExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
        !addExtension(cert.get(), NID_key_usage, "critical,digitalSignature") ||
        !addExtension(cert.get(), NID_ext_key_usage, "serverAuth") ||
        !addExtension(cert.get(), NID_subject_key_identifier, "hash") ||
        !addSubjectAltNames(cert.get(), commonName)) {
        return nullptr;
    }
    if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) {
        return nullptr;
    }
    return cert;
}

std::string bioText(BIO* bio) {
    char* data = nullptr;
    long length = BIO_get_mem_data(bio, &data);
    return length > 0 ? std::string(data, static_cast<size_t>(length)) : std::string();
}

}  // namespace

Status ensureSelfSignedCertificate(const std::string& certFile, const std::string& keyFile,
                                   const std::string& commonName) {
    if (fileExists(certFile) && fileExists(keyFile)) {
        return checkExistingPair(certFile, keyFile);
    }
    if (commonName.empty()) {
        return Status::invalid("the certificate needs a common name");
    }
    PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) {
        return Status::failure("cannot generate the TLS key");
    }
    X509Ptr cert = makeCertificate(key.get(), commonName);
    if (!cert) {
        return Status::failure("cannot make the self-signed certificate for " + commonName);
    }
    BioPtr keyBio(BIO_new(BIO_s_secmem()));
    BioPtr certBio(BIO_new(BIO_s_mem()));
    if (!keyBio || !certBio ||
        PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1 ||
        PEM_write_bio_X509(certBio.get(), cert.get()) != 1) {
        return Status::failure("cannot encode the TLS key and certificate");
    }
    // Key first: a crash between the two leaves the certificate missing, and
    // the next start makes a fresh pair instead of keeping a mismatched one.
    std::string keyPem = bioText(keyBio.get());
    Status status = writeFileAtomically(keyFile, keyPem, 0600);
    OPENSSL_cleanse(&keyPem[0], keyPem.size());
    if (!status) {
        return status;
    }
    return writeFileAtomically(certFile, bioText(certBio.get()), 0644);
}

}  // namespace dad
