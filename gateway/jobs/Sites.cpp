#include "Sites.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <sstream>

#include "FetchRequest.h"
#include "SecretFiles.h"

namespace dad {

namespace {

const char* const kSecretFolder = "site-secrets";
const char* const kCaFolder = "site-ca";

std::string schemeOf(const std::string& type) {
    if (type == "peer") return "https";
    if (type == "ftp" || type == "ftps" || type == "sftp") return type;
    return "";
}

}  // namespace

Status Sites::checkName(const std::string& name) {
    if (!SecretFiles::safeName(name) || name[0] == '.') {
        return Status::invalid("a site name is 1 to 64 characters of A-Z a-z 0-9 . _ - (not '" +
                               name + "')");
    }
    return Status::ok();
}

Status Sites::check(const SiteRecord& site) {
    if (Status s = checkName(site.name); !s) return s;
    const std::string scheme = schemeOf(site.type);
    if (scheme.empty()) return Status::invalid("--type must be peer, ftp, ftps or sftp");
    Poco::URI uri;
    try {
        uri = Poco::URI(site.url);
    } catch (const Poco::Exception&) {
        return Status::invalid("'" + site.url + "' is not a URL");
    }
    if (uri.getScheme() != scheme) {
        return Status::invalid(
            "a site of type " + site.type + " needs a " + scheme + ":// URL (not '" + site.url +
            "')" + (site.type == "ftps" ? "; ftps:// means explicit TLS (AUTH TLS)" : ""));
    }
    if (uri.getHost().empty()) return Status::invalid("the URL names no host");
    if (!uri.getUserInfo().empty()) {
        return Status::invalid("put the user in --user and the password on stdin, not in the URL");
    }
    if (!uri.getRawQuery().empty() || !uri.getFragment().empty()) {
        return Status::invalid("a site URL has no query or fragment");
    }
    if (uri.getPath().find("/../") != std::string::npos ||
        uri.getPath().find('\\') != std::string::npos) {
        return Status::invalid("the URL's folder must not contain .. or backslashes");
    }
    if (site.type == "sftp" && site.hostKey.empty()) {
        return Status::invalid(
            "an sftp site needs --host-key SHA256:... (as ssh-keygen -lf shows for the server's "
            "host key); keys are never trusted on first use");
    }
    if (!site.hostKey.empty() && !FetchRequestCodec::checkHostKey(site.hostKey)) {
        return Status::invalid(
            "--host-key must be SHA256: and 43 base64 characters, as "
            "ssh-keygen -l prints it");
    }
    if (site.type != "sftp" && !site.hostKey.empty()) {
        return Status::invalid("--host-key is for sftp sites only");
    }
    return Status::ok();
}

std::string Sites::forwardPayload(const ForwardRequest& request) {
    Poco::JSON::Object object;
    object.set("package", request.package);
    object.set("site", request.site);
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

Status Sites::parseForwardPayload(const std::string& payload, ForwardRequest& request) {
    try {
        Poco::JSON::Parser parser;
        Poco::JSON::Object::Ptr object = parser.parse(payload).extract<Poco::JSON::Object::Ptr>();
        if (!object) return Status::invalid("a forward payload is a JSON object");
        request.package = object->optValue<std::string>("package", "");
        request.site = object->optValue<std::string>("site", "");
    } catch (const Poco::Exception&) {
        return Status::invalid("a forward payload is {\"package\": PID, \"site\": NAME}");
    }
    if (request.package.empty() || request.site.empty()) {
        return Status::invalid("a forward payload names a package and a site");
    }
    return Status::ok();
}

Status Sites::saveSecret(const std::string& dataDir, const std::string& site,
                         const std::string& secret) {
    if (secret.size() > kMaxSecretBytes) {
        return Status::invalid("the secret is longer than " + std::to_string(kMaxSecretBytes) +
                               " bytes");
    }
    return SecretFiles(dataDir, kSecretFolder).save(site, secret);
}

Status Sites::loadSecret(const std::string& dataDir, const std::string& site, std::string& secret) {
    Status s = SecretFiles(dataDir, kSecretFolder).load(site, secret);
    if (s.code() == StatusCode::NotFound) {
        secret.clear();
        return Status::ok();
    }
    return s;
}

void Sites::forget(const std::string& dataDir, const std::string& site) {
    SecretFiles(dataDir, kSecretFolder).remove(site);
    SecretFiles(dataDir, kCaFolder).remove(site + ".pem");
}

Status Sites::saveCa(const std::string& dataDir, const std::string& site, const std::string& pem,
                     std::string& path) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* certificate = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
    const bool parsed = certificate != nullptr;
    X509_free(certificate);
    BIO_free(bio);
    if (!parsed) return Status::invalid("the CA file holds no PEM certificate");
    if (Status s = SecretFiles(dataDir, kCaFolder).save(site + ".pem", pem); !s) return s;
    path = std::string(kCaFolder) + "/" + site + ".pem";
    return Status::ok();
}

Status Sites::queueForward(Catalog& catalog, const PackageRecord& package, const std::string& site,
                           bool& queued) {
    queued = false;
    if (package.state != "sent") {
        return Status::invalid("package " + package.pid + " is " + package.state +
                               "; only sent packages are forwarded");
    }
    SiteRecord known;
    if (Status s = catalog.findSite(site, known); !s) return s;
    return catalog.queueForward(package.id, site, forwardPayload({package.pid, site}), queued);
}

}  // namespace dad
