#include "TlsClient.h"

#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>

#include <mutex>

namespace dad {

Poco::Net::Context::Ptr tlsClientContext(const std::string& caFile) {
    // Poco asks the SSLManager's handler about a certificate that fails to
    // verify: make sure it is one that refuses (not the console prompt).
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::SharedPtr<Poco::Net::InvalidCertificateHandler> reject =
            new Poco::Net::RejectCertificateHandler(false);
        Poco::Net::Context::Ptr defaults =
            new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                   Poco::Net::Context::VERIFY_RELAXED, 9, true);
        Poco::Net::SSLManager::instance().initializeClient(nullptr, reject, defaults);
    });
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", caFile,
                               Poco::Net::Context::VERIFY_RELAXED, 9, caFile.empty());
    context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    context->enableSessionCache(true);
    return context;
}

}  // namespace dad
