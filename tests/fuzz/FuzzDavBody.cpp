// libFuzzer target: a WebDAV request body through DavXml and the PROPFIND,
// PROPPATCH and LOCK readers. Findings: a crash or sanitizer report, and a
// fragment DavXml::innerXml writes (a dead property's stored value, a lock's
// owner) that does not parse back to the same fragment inside another
// document: what the server stores must replay as it was sent.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "DavRequests.h"
#include "DavXml.h"

namespace {

using dad::DavXml;
using dad::XmlNode;

// `fragment` inside an element parses, and writes back as itself.
void checkReplay(const std::string& fragment) {
    const std::string document = "<w xmlns=\"urn:x\">" + fragment + "</w>";
    if (document.size() > DavXml::kMaxBodyBytes) return;
    XmlNode root;
    if (!DavXml::parse(document, root)) abort();
    if (DavXml::innerXml(root) != fragment) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    XmlNode root;
    if (DavXml::parse(body, root)) checkReplay(DavXml::innerXml(root));

    dad::PropfindRequest propfind;
    if (dad::DavRequests::parsePropfind(body, propfind)) {
        if (propfind.kind != dad::PropfindRequest::Kind::Prop && !propfind.properties.empty())
            abort();
    }
    dad::ProppatchRequest proppatch;
    if (dad::DavRequests::parseProppatch(body, proppatch)) {
        if (proppatch.changes.empty()) abort();
        for (const dad::PropertyChange& change : proppatch.changes) {
            if (change.property.name.empty()) abort();
            if (change.set) checkReplay(change.valueXml);
        }
    }
    dad::LockRequest lock;
    if (dad::DavRequests::parseLock(body, lock)) {
        if (lock.refresh && !lock.ownerXml.empty()) abort();
        checkReplay(lock.ownerXml);
    }
    return 0;
}
