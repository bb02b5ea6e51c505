// PROPFIND and PROPPATCH: live properties from the Session, dead ones from
// DeadProperties, written as RFC 4918 multistatus documents.
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Timestamp.h>

#include <map>

#include "DavPath.h"
#include "DavRequests.h"
#include "DavXml.h"
#include "MarkupEscape.h"
#include "VirtualPath.h"
#include "WebDavHandler.h"

namespace dad {

namespace {

const char* const kDav = "DAV:";
const char* const kOwnCloud = "http://owncloud.org/ns";
const char* const kMicrosoft = "urn:schemas-microsoft-com:";

std::string httpDate(int64_t seconds) {
    return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(seconds),
                                           Poco::DateTimeFormat::HTTP_FORMAT);
}

std::string isoDate(int64_t seconds) {
    return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(seconds),
                                           "%Y-%m-%dT%H:%M:%SZ");
}

// An element of a property name, declaring its namespace.
std::string open(const PropertyName& p, bool close = false) {
    if (p.ns == kDav) return std::string(close ? "<D:" : "<D:") + p.name;
    if (p.ns.empty()) return "<" + p.name + " xmlns=\"\"";
    return "<P:" + p.name + " xmlns:P=\"" + escapeMarkup(p.ns) + "\"";
}
std::string closeTag(const PropertyName& p) {
    if (p.ns == kDav) return "</D:" + p.name + ">";
    if (p.ns.empty()) return "</" + p.name + ">";
    return "</P:" + p.name + ">";
}
std::string element(const PropertyName& p, const std::string& innerXml) {
    if (innerXml.empty()) return open(p) + "/>";
    return open(p) + ">" + innerXml + closeTag(p);
}

struct Resource {
    std::string path;
    FileInfo info;
};

}  // namespace

void WebDavHandler::doPropfind() {
    std::string depth = request_->get("Depth", "1");
    if (depth == "infinity" || depth == "Infinity") {
        return sendError(403, "propfind-finite-depth");
    }
    if (depth != "0" && depth != "1") return sendText(400, "Depth must be 0 or 1\n");
    std::string body;
    if (!readBodyInto(body)) return;
    PropfindRequest query;
    if (Status s = DavRequests::parsePropfind(body, query); !s) {
        return sendText(400, s.message() + "\n");
    }
    FileInfo info;
    if (Status s = session_->stat(path_, info); !s) return sendStatus(s, DavOperation::Read);
    std::vector<Resource> resources{{path_, info}};
    if (depth == "1" && info.isDirectory()) {
        std::vector<FileInfo> entries;
        if (Status s = session_->list(path_, entries); !s) return sendStatus(s, DavOperation::Read);
        for (FileInfo& e : entries) {
            resources.push_back({path_ == "/" ? "/" + e.name : path_ + "/" + e.name, e});
        }
    }
    SpaceInfo space;
    bool haveSpace = false;
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">";
    for (const Resource& r : resources) {
        const bool dir = r.info.isDirectory();
        std::string sha;
        if (!dir) (void)session_->contentHash(r.path, sha);
        // Live properties: name -> value (XML), computed on demand.
        std::map<PropertyName, std::string> live;
        live[{kDav, "resourcetype"}] = dir ? "<D:collection/>" : "";
        live[{kDav, "displayname"}] = escapeMarkup(r.info.name);
        live[{kDav, "getlastmodified"}] = httpDate(r.info.mtime);
        live[{kDav, "creationdate"}] = isoDate(r.info.mtime);
        live[{kDav, "supportedlock"}] =
            "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/>"
            "</D:locktype></D:lockentry><D:lockentry><D:lockscope><D:shared/></D:lockscope>"
            "<D:locktype><D:write/></D:locktype></D:lockentry>";
        live[{kDav, "lockdiscovery"}] = lockDiscovery(r.path);
        if (!dir) {
            live[{kDav, "getcontentlength"}] = std::to_string(r.info.size);
            live[{kDav, "getcontenttype"}] = "application/octet-stream";
            if (!sha.empty()) {
                live[{kDav, "getetag"}] = escapeMarkup(etagOfHash(sha));
                live[{kOwnCloud, "checksums"}] = "<P:checksum>SHA256:" + sha + "</P:checksum>";
            }
        }
        std::vector<DeadProperty> dead;
        if (DeadProperties* props = properties()) (void)props->list(r.path, dead);
        std::map<PropertyName, std::string> deadValues;
        for (const DeadProperty& d : dead)
            deadValues[{d.ns, d.name}] = d.value;

        std::string found, missing;
        auto quota = [&](const PropertyName& p) -> bool {
            if (p.ns != kDav || (p.name != "quota-available-bytes" && p.name != "quota-used-bytes"))
                return false;
            if (!haveSpace) haveSpace = session_->spaceInfo(space).isOk();
            if (!haveSpace || !dir) return false;
            live[p] = std::to_string(p.name == "quota-available-bytes"
                                         ? space.freeBytes
                                         : space.totalBytes - space.freeBytes);
            return true;
        };
        if (query.kind == PropfindRequest::Kind::PropName) {
            for (const auto& [name, value] : live)
                found += element(name, "");
            for (const auto& [name, value] : deadValues)
                found += element(name, "");
        } else if (query.kind == PropfindRequest::Kind::AllProp) {
            for (const auto& [name, value] : live) {
                if (name.ns == kOwnCloud) continue;  // asked for by name only
                found += element(name, value);
            }
            for (const auto& [name, value] : deadValues) {
                if (!live.count(name)) found += element(name, value);
            }
            for (const PropertyName& p : query.include) {
                if (p.ns == kOwnCloud && live.count(p)) found += element(p, live[p]);
            }
        } else {
            for (const PropertyName& p : query.properties) {
                if (live.count(p) || quota(p)) {
                    found += element(p, live[p]);
                } else if (deadValues.count(p)) {
                    found += element(p, deadValues[p]);
                } else {
                    missing += element(p, "");
                }
            }
        }
        xml += "<D:response><D:href>" + escapeMarkup(DavPath::href(r.path, dir)) + "</D:href>";
        if (!found.empty() || missing.empty()) {
            xml += "<D:propstat><D:prop>" + found +
                   "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>";
        }
        if (!missing.empty()) {
            xml += "<D:propstat><D:prop>" + missing +
                   "</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>";
        }
        xml += "</D:response>";
    }
    xml += "</D:multistatus>\n";
    sendXml(207, xml);
}

void WebDavHandler::doProppatch() {
    std::string body;
    if (!readBodyInto(body)) return;
    ProppatchRequest patch;
    if (Status s = DavRequests::parseProppatch(body, patch); !s) {
        return sendText(400, s.message() + "\n");
    }
    FileInfo info;
    if (Status s = session_->stat(path_, info); !s) return sendStatus(s, DavOperation::Read);
    if (!checkConditions(path_, false) || !checkLock(path_, false)) return;

    // Live properties other than Windows' times are protected: all or nothing.
    static const char* const kProtected[] = {"getetag",       "getcontentlength", "resourcetype",
                                             "lockdiscovery", "supportedlock",    "getlastmodified",
                                             "creationdate",  "getcontenttype"};
    bool refused = false;
    std::vector<std::pair<DeadProperty, bool>> changes;
    int64_t newMtime = -1;
    for (const PropertyChange& c : patch.changes) {
        if (c.property.ns == kDav) {
            for (const char* name : kProtected) {
                if (c.property.name == name) refused = true;
            }
        }
        if (c.set && c.property.ns == kMicrosoft && c.property.name == "Win32LastModifiedTime") {
            Poco::DateTime parsed;
            int tz = 0;
            if (Poco::DateTimeParser::tryParse(c.valueText, parsed, tz)) {
                newMtime = parsed.timestamp().epochTime() - tz;
            }
        }
        changes.push_back({{c.property.ns, c.property.name, c.valueXml}, c.set});
    }
    Status applied;
    if (!refused) {
        DeadProperties* props = properties();
        applied = props ? props->change(path_, changes)
                        : Status::error(StatusCode::Unsupported, "no property store");
        if (applied && newMtime >= 0) (void)session_->setModificationTime(path_, newMtime);
    }
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">"
        "<D:response><D:href>" +
        escapeMarkup(DavPath::href(path_, info.isDirectory())) + "</D:href>";
    for (const PropertyChange& c : patch.changes) {
        std::string status = "HTTP/1.1 200 OK";
        bool isProtected = false;
        if (c.property.ns == kDav) {
            for (const char* name : kProtected)
                isProtected = isProtected || c.property.name == name;
        }
        if (refused) {
            status = isProtected ? "HTTP/1.1 403 Forbidden" : "HTTP/1.1 424 Failed Dependency";
        } else if (!applied) {
            status = "HTTP/1.1 " +
                     std::to_string(webDavHttpStatus(applied.code(), DavOperation::Change)) +
                     " Error";
        }
        xml += "<D:propstat><D:prop>" + element(c.property, "") + "</D:prop><D:status>" + status +
               "</D:status></D:propstat>";
    }
    xml += "</D:response></D:multistatus>\n";
    sendXml(207, xml);
}

}  // namespace dad
