#include "PeerMessages.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <set>
#include <sstream>

#include "Sha256.h"
#include "VirtualPath.h"

namespace dad {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string toJson(const Object& object) {
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

Status parseObject(const std::string& body, const std::string& what, Object::Ptr& object) {
    if (body.size() > PeerLimits::kMaxBodyBytes) {
        return Status::invalid(what + " is larger than " +
                               std::to_string(PeerLimits::kMaxBodyBytes) + " bytes");
    }
    try {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var parsed = parser.parse(body);
        if (parsed.type() != typeid(Object::Ptr)) {
            return Status::invalid(what + " is not a JSON object");
        }
        object = parsed.extract<Object::Ptr>();
    } catch (const Poco::Exception& e) {
        return Status::invalid(what + " is not JSON: " + e.message());
    } catch (const std::exception& e) {
        return Status::invalid(what + " is not JSON: " + e.what());
    }
    if (!object) return Status::invalid(what + " is not a JSON object");
    return Status::ok();
}

// A string field; `required` false: absent is "".
Status text(const Object& object, const std::string& key, bool required, size_t maxBytes,
            std::string& out) {
    out.clear();
    if (!object.has(key) || object.isNull(key)) {
        return required ? Status::invalid("\"" + key + "\" is missing") : Status::ok();
    }
    const Poco::Dynamic::Var value = object.get(key);
    if (!value.isString()) return Status::invalid("\"" + key + "\" is not a string");
    out = value.extract<std::string>();
    if (out.size() > maxBytes) {
        return Status::invalid("\"" + key + "\" is longer than " + std::to_string(maxBytes) +
                               " bytes");
    }
    return Status::ok();
}

// An integer field within [min, max]; absent gives `fallback`.
Status integer(const Object& object, const std::string& key, int64_t min, int64_t max,
               int64_t fallback, int64_t& out) {
    out = fallback;
    if (!object.has(key) || object.isNull(key)) return Status::ok();
    const Poco::Dynamic::Var value = object.get(key);
    if (!value.isInteger()) return Status::invalid("\"" + key + "\" is not an integer");
    try {
        out = value.convert<Poco::Int64>();
    } catch (const Poco::Exception&) {
        return Status::invalid("\"" + key + "\" is out of range");
    }
    if (out < min || out > max) return Status::invalid("\"" + key + "\" is out of range");
    return Status::ok();
}

Status checkHash(const std::string& where, const std::string& sha256) {
    if (!Sha256::isHexDigest(sha256)) {
        return Status::invalid(where + ": \"sha256\" is not 64 lower-case hex digits");
    }
    return Status::ok();
}

Status checkPackagePath(const std::string& where, const std::string& path) {
    if (path.empty() || path.front() == '/' || path.back() == '/') {
        return Status::invalid(where + ": \"path\" must be relative, without a trailing slash");
    }
    if (path.size() > VirtualPath::kMaxPathBytes) {
        return Status::invalid(where + ": \"path\" is too long");
    }
    size_t start = 0;
    for (;;) {
        const size_t end = path.find('/', start);
        const std::string part = path.substr(start, end - start);
        if (Status s = VirtualPath::checkName(part); !s) {
            return Status::invalid(where + ": \"path\" has an " + s.message() + " (\"" + part +
                                   "\")");
        }
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return Status::ok();
}

Status parseFiles(const Object& object, std::vector<PeerFile>& files) {
    files.clear();
    if (!object.has("files")) return Status::invalid("\"files\" is missing");
    Array::Ptr list = object.getArray("files");
    if (!list) return Status::invalid("\"files\" is not an array");
    if (list->size() == 0) return Status::invalid("\"files\" is empty");
    if (list->size() > PeerLimits::kMaxFiles) {
        return Status::invalid("more than " + std::to_string(PeerLimits::kMaxFiles) + " files");
    }
    std::set<std::string> paths;
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string where = "files[" + std::to_string(i) + "]";
        Object::Ptr entry = list->getObject(static_cast<unsigned>(i));
        if (!entry) return Status::invalid(where + " is not an object");
        PeerFile file;
        int64_t size = 0;
        if (Status s = text(*entry, "path", true, VirtualPath::kMaxPathBytes + 1, file.path); !s) {
            return Status::invalid(where + ": " + s.message());
        }
        if (Status s = checkPackagePath(where, file.path); !s) return s;
        if (!entry->has("size")) return Status::invalid(where + ": \"size\" is missing");
        if (Status s = integer(*entry, "size", 0, INT64_MAX, 0, size); !s) {
            return Status::invalid(where + ": " + s.message());
        }
        file.size = static_cast<uint64_t>(size);
        if (Status s = text(*entry, "sha256", true, 64, file.sha256); !s) {
            return Status::invalid(where + ": " + s.message());
        }
        if (Status s = checkHash(where, file.sha256); !s) return s;
        if (!paths.insert(file.path).second) {
            return Status::invalid(where + ": \"" + file.path + "\" is listed twice");
        }
        files.push_back(file);
    }
    // A folder and a file of the same name cannot both exist.
    for (const std::string& path : paths) {
        for (size_t slash = path.find('/'); slash != std::string::npos;
             slash = path.find('/', slash + 1)) {
            if (paths.count(path.substr(0, slash))) {
                return Status::invalid("\"" + path.substr(0, slash) +
                                       "\" is both a file and a folder");
            }
        }
    }
    return Status::ok();
}

}  // namespace

std::string encodePeerPackage(const PeerPackage& p) {
    Object object;
    object.set("pid", p.pid);
    object.set("sender", p.sender);
    object.set("message", p.message);
    Array recipients;
    for (const std::string& r : p.recipients)
        recipients.add(r);
    object.set("recipients", recipients);
    object.set("sent_at", static_cast<Poco::Int64>(p.sentAt));
    object.set("expires_at", static_cast<Poco::Int64>(p.expiresAt));
    object.set("max_downloads", static_cast<Poco::Int64>(p.maxDownloads));
    Array files;
    for (const PeerFile& f : p.files) {
        Object file;
        file.set("path", f.path);
        file.set("size", static_cast<Poco::UInt64>(f.size));
        file.set("sha256", f.sha256);
        files.add(file);
    }
    object.set("files", files);
    return toJson(object);
}

Status parsePeerPackage(const std::string& body, PeerPackage& p) {
    p = PeerPackage();
    Object::Ptr object;
    if (Status s = parseObject(body, "the package description", object); !s) return s;
    if (Status s = text(*object, "pid", true, PeerLimits::kMaxFieldBytes, p.pid); !s) return s;
    if (Status s = VirtualPath::checkName(p.pid); !s) {
        return Status::invalid("\"pid\" is not a valid package ID: " + s.message());
    }
    if (Status s = text(*object, "sender", true, PeerLimits::kMaxFieldBytes, p.sender); !s) {
        return s;
    }
    if (p.sender.empty()) return Status::invalid("\"sender\" is empty");
    if (Status s = text(*object, "message", false, PeerLimits::kMaxMessageBytes, p.message); !s) {
        return s;
    }
    if (object->has("recipients")) {
        Array::Ptr list = object->getArray("recipients");
        if (!list) return Status::invalid("\"recipients\" is not an array");
        if (list->size() > PeerLimits::kMaxRecipients) {
            return Status::invalid("more than " + std::to_string(PeerLimits::kMaxRecipients) +
                                   " recipients");
        }
        for (size_t i = 0; i < list->size(); ++i) {
            const Poco::Dynamic::Var value = list->get(static_cast<unsigned>(i));
            if (!value.isString()) {
                return Status::invalid("recipients[" + std::to_string(i) + "] is not a string");
            }
            const std::string address = value.extract<std::string>();
            if (address.empty() || address.size() > PeerLimits::kMaxFieldBytes) {
                return Status::invalid("recipients[" + std::to_string(i) +
                                       "] is empty or too long");
            }
            p.recipients.push_back(address);
        }
    }
    if (Status s = integer(*object, "sent_at", 0, INT64_MAX, 0, p.sentAt); !s) return s;
    if (Status s = integer(*object, "expires_at", 0, INT64_MAX, 0, p.expiresAt); !s) return s;
    if (Status s = integer(*object, "max_downloads", -1, INT32_MAX, -1, p.maxDownloads); !s) {
        return s;
    }
    return parseFiles(*object, p.files);
}

Status checkPeerPath(const std::string& path) {
    return checkPackagePath("the file", path);
}

const char* peerHashStateName(PeerHashState state) {
    switch (state) {
        case PeerHashState::Stored:
            return "stored";
        case PeerHashState::Partial:
            return "partial";
        case PeerHashState::Missing:
            break;
    }
    return "missing";
}

std::string encodePeerOfferReply(const PeerOfferReply& reply) {
    Object object;
    object.set("pid", reply.pid);
    object.set("committed", reply.committed);
    Object hashes;
    for (const auto& [sha256, holding] : reply.hashes) {
        Object entry;
        entry.set("state", std::string(peerHashStateName(holding.state)));
        entry.set("bytes", static_cast<Poco::UInt64>(holding.bytes));
        hashes.set(sha256, entry);
    }
    object.set("hashes", hashes);
    return toJson(object);
}

Status parsePeerOfferReply(const std::string& body, PeerOfferReply& reply) {
    reply = PeerOfferReply();
    Object::Ptr object;
    if (Status s = parseObject(body, "the offer's answer", object); !s) return s;
    if (Status s = text(*object, "pid", true, PeerLimits::kMaxFieldBytes, reply.pid); !s) {
        return s;
    }
    if (object->has("committed")) {
        const Poco::Dynamic::Var value = object->get("committed");
        if (!value.isBoolean()) return Status::invalid("\"committed\" is not a boolean");
        reply.committed = value.extract<bool>();
    }
    Object::Ptr hashes = object->getObject("hashes");
    if (!hashes) return Status::invalid("\"hashes\" is missing or not an object");
    if (hashes->size() > PeerLimits::kMaxFiles) return Status::invalid("too many hashes");
    for (const std::string& sha256 : hashes->getNames()) {
        if (Status s = checkHash("hashes", sha256); !s) return s;
        Object::Ptr entry = hashes->getObject(sha256);
        if (!entry) return Status::invalid("hashes[" + sha256 + "] is not an object");
        std::string state;
        if (Status s = text(*entry, "state", true, 16, state); !s) return s;
        PeerHolding holding;
        if (state == "stored") {
            holding.state = PeerHashState::Stored;
        } else if (state == "partial") {
            holding.state = PeerHashState::Partial;
        } else if (state == "missing") {
            holding.state = PeerHashState::Missing;
        } else {
            return Status::invalid("hashes[" + sha256 + "]: unknown state \"" + state + "\"");
        }
        int64_t bytes = 0;
        if (Status s = integer(*entry, "bytes", 0, INT64_MAX, 0, bytes); !s) return s;
        holding.bytes = static_cast<uint64_t>(bytes);
        reply.hashes[sha256] = holding;
    }
    return Status::ok();
}

std::string peerContentRange(uint64_t start, uint64_t total) {
    if (start >= total) return "bytes */" + std::to_string(total);
    return "bytes " + std::to_string(start) + "-" + std::to_string(total - 1) + "/" +
           std::to_string(total);
}

Status parsePeerContentRange(const std::string& header, uint64_t& start, uint64_t& end,
                             uint64_t& total) {
    const Status bad = Status::invalid("Content-Range must be \"bytes START-END/TOTAL\"");
    if (header.compare(0, 6, "bytes ") != 0) return bad;
    const std::string rest = header.substr(6);
    const size_t slash = rest.find('/');
    if (slash == std::string::npos) return bad;
    auto number = [](const std::string& digits, uint64_t& out) {
        if (digits.empty() || digits.size() > 19 ||
            digits.find_first_not_of("0123456789") != std::string::npos) {
            return false;
        }
        out = std::stoull(digits);
        return true;
    };
    if (!number(rest.substr(slash + 1), total)) return bad;
    const std::string range = rest.substr(0, slash);
    if (range == "*") {
        start = end = total;
        return Status::ok();
    }
    const size_t dash = range.find('-');
    uint64_t last = 0;
    if (dash == std::string::npos || !number(range.substr(0, dash), start) ||
        !number(range.substr(dash + 1), last)) {
        return bad;
    }
    if (start > last || last >= total) {
        return Status::invalid("Content-Range " + header + " is not inside the content");
    }
    end = last + 1;
    return Status::ok();
}

}  // namespace dad
