// PROPFIND and PROPPATCH: live properties from the Session, dead ones from
// DeadProperties, written as RFC 4918 multistatus documents.
#include <Poco/DateTimeParser.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
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

const char* const kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// getlastmodified (RFC 1123, as Poco's HTTP_FORMAT) and creationdate (ISO 8601)
// of a time, formatted once for the entries that share it (a PROPFIND writes
// both for every entry, and the files of one upload share their second).
class EntryDates {
public:
    void appendHttp(std::string& out, int64_t seconds) {
        format(seconds);
        out.append(http_, httpSize_);
    }
    void appendIso(std::string& out, int64_t seconds) {
        format(seconds);
        out.append(iso_, isoSize_);
    }

private:
    void format(int64_t seconds) {
        if (valid_ && seconds == seconds_) return;
        const time_t t = static_cast<time_t>(seconds);
        struct tm tm {};
        gmtime_r(&t, &tm);
        httpSize_ =
            size(std::snprintf(http_, sizeof http_, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                               kWeekdays[tm.tm_wday % 7], tm.tm_mday, kMonths[tm.tm_mon % 12],
                               tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec),
                 sizeof http_);
        isoSize_ = size(
            std::snprintf(iso_, sizeof iso_, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                          tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec),
            sizeof iso_);
        seconds_ = seconds;
        valid_ = true;
    }
    static size_t size(int written, size_t capacity) {
        return std::min(static_cast<size_t>(std::max(written, 0)), capacity - 1);
    }

    bool valid_ = false;
    int64_t seconds_ = 0;
    char http_[64];
    char iso_[64];
    size_t httpSize_ = 0, isoSize_ = 0;
};

// A property element: the opening tag declaring its namespace, the value (XML),
// and the closing tag, or one empty element when the value is empty.
void appendOpen(std::string& out, const std::string& ns, const std::string& name) {
    if (ns == kDav) {
        out += "<D:";
        out += name;
    } else if (ns.empty()) {
        out += '<';
        out += name;
        out += " xmlns=\"\"";
    } else {
        out += "<P:";
        out += name;
        out += " xmlns:P=\"";
        appendEscapedMarkup(out, ns);
        out += '"';
    }
    out += '>';
}

// Closes what appendOpen opened at `openEnd` (the size of `out` just after it).
void appendClose(std::string& out, size_t openEnd, const std::string& ns, const std::string& name) {
    if (out.size() == openEnd) {
        out.back() = '/';
        out += '>';
        return;
    }
    out += ns == kDav ? "</D:" : ns.empty() ? "</" : "</P:";
    out += name;
    out += '>';
}

void appendElement(std::string& out, const PropertyName& p, const std::string& innerXml) {
    appendOpen(out, p.ns, p.name);
    const size_t openEnd = out.size();
    out += innerXml;
    appendClose(out, openEnd, p.ns, p.name);
}

// The live properties, in the order allprop and propname list them (by
// namespace, then name). Quota is given when asked for by name only, as the
// ownCloud checksums (allprop lists them only in <include>).
enum Live : size_t {
    kCreationDate,
    kDisplayName,
    kContentLength,
    kContentType,
    kEtag,
    kLastModified,
    kLockDiscovery,
    kResourceType,
    kSupportedLock,
    kChecksums,
    kQuotaAvailable,
    kQuotaUsed,
    kLiveCount
};

const PropertyName kLiveNames[kLiveCount] = {{kDav, "creationdate"},
                                             {kDav, "displayname"},
                                             {kDav, "getcontentlength"},
                                             {kDav, "getcontenttype"},
                                             {kDav, "getetag"},
                                             {kDav, "getlastmodified"},
                                             {kDav, "lockdiscovery"},
                                             {kDav, "resourcetype"},
                                             {kDav, "supportedlock"},
                                             {kOwnCloud, "checksums"},
                                             {kDav, "quota-available-bytes"},
                                             {kDav, "quota-used-bytes"}};

bool byNameOnly(size_t id) {
    return id >= kChecksums;
}

size_t liveId(const PropertyName& p) {
    for (size_t id = 0; id < kLiveCount; ++id) {
        if (kLiveNames[id] == p) return id;
    }
    return kLiveCount;
}

const DeadProperty* findDead(const std::vector<DeadProperty>& dead, const PropertyName& p) {
    for (const DeadProperty& d : dead) {
        if (d.ns == p.ns && d.name == p.name) return &d;
    }
    return nullptr;
}

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
    FileInfo self;
    if (Status s = session_->stat(path_, self); !s) return sendStatus(s, DavOperation::Read);
    std::vector<FileInfo> entries;
    if (depth == "1" && self.isDirectory()) {
        if (Status s = session_->list(path_, entries); !s) return sendStatus(s, DavOperation::Read);
    }
    // Dead properties and locks: one look for the folder and all its entries.
    static const std::vector<DeadProperty> kNone;
    std::vector<DeadProperty> selfDead;
    std::map<std::string, std::vector<DeadProperty>> childDead;
    if (DeadProperties* props = properties()) {
        (void)props->list(path_, selfDead);
        if (!entries.empty()) {
            std::vector<std::string> names;
            names.reserve(entries.size());
            for (const FileInfo& e : entries)
                names.push_back(e.name);
            (void)props->listChildren(path_, names, childDead);
        }
    }
    const std::vector<DavLock> locks = context_.locks.coveringOrBelow(path_);

    EntryDates dates;
    SpaceInfo space;
    bool triedSpace = false, haveSpace = false;
    std::string xml;
    xml.reserve(256 +
                (entries.size() + 1) * (query.kind == PropfindRequest::Kind::Prop ? 400 : 800));
    xml += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">";
    std::string found, missing;
    auto respond = [&](const std::string& path, const FileInfo& info,
                       const std::vector<DeadProperty>& dead) {
        const bool dir = info.isDirectory();
        // Whether this resource has the live property `id` (the space is asked once).
        auto present = [&](size_t id) {
            switch (id) {
                case kContentLength:
                case kContentType:
                    return !dir;
                case kEtag:
                case kChecksums:
                    return !dir && !info.sha256.empty();
                case kQuotaAvailable:
                case kQuotaUsed:
                    if (!triedSpace) haveSpace = session_->spaceInfo(space).isOk();
                    triedSpace = true;
                    return dir && haveSpace;
                default:
                    return true;
            }
        };
        // Appends the value of the live property `id` (XML).
        auto value = [&](size_t id, std::string& out) {
            switch (id) {
                case kCreationDate:
                    return dates.appendIso(out, info.mtime);
                case kDisplayName:
                    return appendEscapedMarkup(out, info.name);
                case kContentLength:
                    out += std::to_string(info.size);
                    return;
                case kContentType:
                    out += "application/octet-stream";
                    return;
                case kEtag:
                    return appendEscapedMarkup(out, etagOfHash(info.sha256));
                case kLastModified:
                    return dates.appendHttp(out, info.mtime);
                case kLockDiscovery:
                    return lockDiscovery(locks, path, out);
                case kResourceType:
                    if (dir) out += "<D:collection/>";
                    return;
                case kSupportedLock:
                    out +=
                        "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype>"
                        "<D:write/></D:locktype></D:lockentry><D:lockentry><D:lockscope>"
                        "<D:shared/></D:lockscope><D:locktype><D:write/></D:locktype>"
                        "</D:lockentry>";
                    return;
                case kChecksums:
                    out += "<P:checksum>SHA256:";
                    out += info.sha256;
                    out += "</P:checksum>";
                    return;
                case kQuotaAvailable:
                    out += std::to_string(space.freeBytes);
                    return;
                case kQuotaUsed:
                    out += std::to_string(space.totalBytes - space.freeBytes);
                    return;
                default:
                    return;
            }
        };
        auto live = [&](size_t id, std::string& out, bool withValue) {
            const PropertyName& p = kLiveNames[id];
            appendOpen(out, p.ns, p.name);
            const size_t openEnd = out.size();
            if (withValue) value(id, out);
            appendClose(out, openEnd, p.ns, p.name);
        };
        found.clear();
        missing.clear();
        if (query.kind == PropfindRequest::Kind::PropName) {
            for (size_t id = 0; id < kLiveCount; ++id) {
                if ((!byNameOnly(id) || id == kChecksums) && present(id)) live(id, found, false);
            }
            for (const DeadProperty& d : dead)
                appendElement(found, {d.ns, d.name}, "");
        } else if (query.kind == PropfindRequest::Kind::AllProp) {
            for (size_t id = 0; id < kLiveCount; ++id) {
                if (!byNameOnly(id) && present(id)) live(id, found, true);
            }
            for (const DeadProperty& d : dead) {
                const PropertyName p{d.ns, d.name};
                // A live property the resource has wins (quota is not looked up here).
                const size_t id = liveId(p);
                const bool shadowed =
                    id != kLiveCount && id != kQuotaAvailable && id != kQuotaUsed && present(id);
                if (!shadowed) appendElement(found, p, d.value);
            }
            for (const PropertyName& p : query.include) {
                if (p.ns == kOwnCloud && liveId(p) == kChecksums && present(kChecksums)) {
                    live(kChecksums, found, true);
                }
            }
        } else {
            for (const PropertyName& p : query.properties) {
                const size_t id = liveId(p);
                if (id != kLiveCount && present(id)) {
                    live(id, found, true);
                } else if (const DeadProperty* d = findDead(dead, p)) {
                    appendElement(found, p, d->value);
                } else {
                    appendElement(missing, p, "");
                }
            }
        }
        // An href has only unreserved characters and percent escapes: no markup.
        xml += "<D:response><D:href>";
        xml += DavPath::href(path, dir);
        xml += "</D:href>";
        if (!found.empty() || missing.empty()) {
            xml += "<D:propstat><D:prop>";
            xml += found;
            xml += "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>";
        }
        if (!missing.empty()) {
            xml += "<D:propstat><D:prop>";
            xml += missing;
            xml += "</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>";
        }
        xml += "</D:response>";
    };
    respond(path_, self, selfDead);
    std::string path;
    for (const FileInfo& e : entries) {
        path.assign(path_ == "/" ? "" : path_).append("/").append(e.name);
        auto dead = childDead.find(e.name);
        respond(path, e, dead == childDead.end() ? kNone : dead->second);
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
        xml += "<D:propstat><D:prop>";
        appendElement(xml, c.property, "");
        xml += "</D:prop><D:status>" + status + "</D:status></D:propstat>";
    }
    xml += "</D:response></D:multistatus>\n";
    sendXml(207, xml);
}

}  // namespace dad
