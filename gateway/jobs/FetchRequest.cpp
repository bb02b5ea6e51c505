#include "FetchRequest.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <cctype>
#include <set>
#include <sstream>

#include "Manifest.h"
#include "SecretFiles.h"
#include "Secrets.h"
#include "VirtualPath.h"

namespace dad {

namespace {

// Read through istream::read, which turns the decoder's exception at a
// character outside base64 into badbit: building the string from
// istreambuf_iterators let that exception leak the bytes decoded so far.
bool decodeBase64(const std::string& text, std::string& out) {
    out.clear();
    try {
        std::istringstream in(text);
        Poco::Base64Decoder decoder(in);
        char buffer[1024];
        while (decoder.read(buffer, sizeof buffer) || decoder.gcount() > 0)
            out.append(buffer, static_cast<size_t>(decoder.gcount()));
        if (decoder.bad()) return false;
        return !out.empty();
    } catch (const Poco::Exception&) {
        return false;
    }
}

}  // namespace

Status FetchRequestCodec::checkUrl(const std::string& url) {
    if (url.empty()) return Status::invalid("the URL is empty");
    if (url.size() > kMaxUrlBytes) {
        return Status::invalid("the URL is longer than " + std::to_string(kMaxUrlBytes) + " bytes");
    }
    for (char c : url) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7F) {
            return Status::invalid("the URL holds a space or control character");
        }
    }
    try {
        Poco::URI uri(url);
        const std::string scheme = uri.getScheme();
        if (scheme != "http" && scheme != "https" && scheme != "ftp" && scheme != "ftps" &&
            scheme != "sftp") {
            return Status::invalid(
                "the URL's scheme must be http, https, ftp, ftps or sftp, not '" + scheme + "'");
        }
        if (uri.getHost().empty()) return Status::invalid("the URL has no host");
        if (!uri.getUserInfo().empty()) {
            return Status::invalid(
                "the URL must not hold a user or password (give them in the request file)");
        }
    } catch (const Poco::Exception& e) {
        return Status::invalid("the URL is malformed: " + e.message());
    }
    return Status::ok();
}

Status FetchRequestCodec::checkInto(const std::string& into) {
    if (into.empty()) return Status::ok();
    std::string normalized;
    if (Status s = VirtualPath::resolve("/", into, normalized); !s) return s;
    if (into[0] != '/' || into.find("/../") != std::string::npos ||
        into.find("/./") != std::string::npos) {
        return Status::invalid("--into must be an absolute path without . or ..: " + into);
    }
    const std::vector<std::string> parts = VirtualPath::split(normalized);
    if (!parts.empty() && parts[0] == "files") return Status::ok();
    if (parts.size() >= 2 && parts[0] == "outbox") return Status::ok();
    return Status::invalid(
        "a fetch may write under /files/ or into a draft /outbox/<draft>/, not " + into);
}

std::string FetchRequestCodec::toJson(const FetchRequest& request) {
    Poco::JSON::Object object;
    object.set("user", request.user);
    object.set("url", request.url);
    if (!request.into.empty()) object.set("into", request.into);
    if (!request.credentials.empty()) object.set("credentials", request.credentials);
    if (!request.package.empty()) object.set("package", request.package);
    if (!request.request.empty()) object.set("request", request.request);
    if (!request.hostKey.empty()) object.set("host_key", request.hostKey);
    if (!request.stored.empty()) {
        object.set("stored", request.stored);
        object.set("bytes", request.bytes);
        object.set("sha256", request.sha256);
    }
    if (request.removed) object.set("removed", true);
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

Status FetchRequestCodec::fromJson(const std::string& payload, FetchRequest& request) {
    try {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var parsed = parser.parse(payload);
        Poco::JSON::Object::Ptr object = parsed.extract<Poco::JSON::Object::Ptr>();
        if (!object) return Status::invalid("the fetch job's payload is not a JSON object");
        request.user = object->optValue<std::string>("user", "");
        request.url = object->optValue<std::string>("url", "");
        request.into = object->optValue<std::string>("into", "");
        request.credentials = object->optValue<std::string>("credentials", "");
        request.package = object->optValue<std::string>("package", "");
        request.request = object->optValue<std::string>("request", "");
        request.hostKey = object->optValue<std::string>("host_key", "");
        request.stored = object->optValue<std::string>("stored", "");
        request.bytes = object->optValue<Poco::UInt64>("bytes", 0);
        request.sha256 = object->optValue<std::string>("sha256", "");
        request.removed = object->optValue<bool>("removed", false);
    } catch (const Poco::Exception& e) {
        return Status::invalid("the fetch job's payload is not valid JSON: " + e.message());
    } catch (const std::exception& e) {
        return Status::invalid(std::string("the fetch job's payload is not valid JSON: ") +
                               e.what());
    }
    if (request.user.empty()) return Status::invalid("the fetch job names no user");
    if (Status s = checkUrl(request.url); !s) return s;
    if (!request.hostKey.empty()) {
        if (Status s = checkHostKey(request.hostKey); !s) return s;
    }
    return checkInto(request.into);
}

Status FetchRequestCodec::checkHostKey(const std::string& hostKey) {
    const std::string prefix = "SHA256:";
    bool ok =
        hostKey.size() == prefix.size() + 43 && hostKey.compare(0, prefix.size(), prefix) == 0;
    for (size_t i = prefix.size(); ok && i < hostKey.size(); ++i) {
        const auto c = static_cast<unsigned char>(hostKey[i]);
        ok = std::isalnum(c) || c == '+' || c == '/';
    }
    if (!ok) {
        return Status::invalid(
            "host_key must be the server key's SHA-256 fingerprint as ssh-keygen -l prints it "
            "(SHA256: and 43 characters)");
    }
    return Status::ok();
}

Status FetchRequestCodec::parseFile(const std::string& name, const std::string& text,
                                    FetchRequestFile& file) {
    if (text.size() > kMaxFileBytes) {
        return Status::invalid(name + " is larger than " + std::to_string(kMaxFileBytes) +
                               " bytes");
    }
    file = FetchRequestFile();
    std::set<std::string> seen;
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        auto fail = [&](const std::string& why) {
            return Status::invalid(name + " line " + std::to_string(number) + ": " + why);
        };
        const std::string content = Poco::trim(line);
        if (content.empty() || content[0] == '#') continue;
        const size_t eq = content.find('=');
        if (eq == std::string::npos) return fail("expected key = value");
        const std::string key = Poco::trim(content.substr(0, eq));
        const std::string value = Poco::trim(content.substr(eq + 1));
        if (!seen.insert(key).second) return fail("'" + key + "' is given twice");
        if (key == "url") {
            if (Status s = checkUrl(value); !s) return fail(s.message());
            file.url = value;
        } else if (key == "at") {
            if (!ManifestParser::parseDateTime(value, file.at)) {
                return fail("at must be a date (2026-12-01 or 2026-12-01T10:00:00Z), not '" +
                            value + "'");
            }
        } else if (key == "into") {
            if (Status s = checkInto(value); !s) return fail(s.message());
            file.into = value;
        } else if (key == "user") {
            if (value.empty() || value.size() > 256) return fail("user must be 1 to 256 bytes");
            file.user = value;
        } else if (key == "password") {
            if (value.size() > 1024) return fail("password is longer than 1024 bytes");
            file.password = value;
        } else if (key == "private_key") {
            // One line: the key file in base64 (base64 -w0 id_ed25519).
            std::string pem;
            if (!decodeBase64(value, pem) || pem.rfind("-----BEGIN", 0) != 0) {
                return fail(
                    "private_key must be a private key file in base64 on one line "
                    "(base64 -w0 id_ed25519)");
            }
            file.password = pem;
        } else if (key == "host_key") {
            if (Status s = checkHostKey(value); !s) return fail(s.message());
            file.hostKey = value;
        } else {
            return fail("unknown key '" + key +
                        "' (url, at, into, user, password, private_key, host_key)");
        }
    }
    if (file.url.empty()) return Status::invalid(name + ": no url = ... line");
    if ((seen.count("password") || seen.count("private_key")) && !seen.count("user")) {
        return Status::invalid(name + ": a password or private_key needs a user");
    }
    if (seen.count("password") && seen.count("private_key")) {
        return Status::invalid(name + ": give a password or a private_key, not both");
    }
    const bool sftp = Poco::URI(file.url).getScheme() == "sftp";
    if (sftp && file.hostKey.empty()) {
        return Status::invalid(name + ": an sftp URL needs host_key = SHA256:... (the server's " +
                               "key fingerprint; keys are never trusted on first use)");
    }
    if (!sftp && !file.hostKey.empty()) {
        return Status::invalid(name + ": host_key is for sftp URLs only");
    }
    return Status::ok();
}

Status FetchCredentials::save(const std::string& dataDir, const std::string& user,
                              const std::string& password, std::string& token) {
    token = randomToken(18);
    return SecretFiles(dataDir, "fetch-credentials").save(token, user + "\n" + password);
}

Status FetchCredentials::load(const std::string& dataDir, const std::string& token,
                              std::string& user, std::string& password) {
    std::string content;
    if (Status s = SecretFiles(dataDir, "fetch-credentials").load(token, content); !s) {
        return s.code() == StatusCode::NotFound
                   ? Status::notFound("the fetch's credentials are gone")
                   : Status::invalid("malformed credentials token");
    }
    const size_t newline = content.find('\n');
    if (newline == std::string::npos) return Status::invalid("malformed credentials file");
    user = content.substr(0, newline);
    password = content.substr(newline + 1);
    return Status::ok();
}

void FetchCredentials::remove(const std::string& dataDir, const std::string& token) {
    SecretFiles(dataDir, "fetch-credentials").remove(token);
}

}  // namespace dad
