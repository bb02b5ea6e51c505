#include "DavRequests.h"

namespace dad {

namespace {

const char* const kDav = "DAV:";

bool blank(const std::string& body) {
    return body.find_first_not_of(" \t\r\n") == std::string::npos;
}

void names(const XmlNode& prop, std::vector<PropertyName>& out) {
    for (const XmlNode* e : prop.elements())
        out.push_back({e->ns, e->name});
}

}  // namespace

Status DavRequests::parsePropfind(const std::string& body, PropfindRequest& request) {
    request = PropfindRequest();
    if (blank(body)) return Status::ok();
    XmlNode root;
    if (Status s = DavXml::parse(body, root); !s) return s;
    if (!root.is(kDav, "propfind")) return Status::invalid("expected DAV:propfind");
    bool chosen = false;
    for (const XmlNode* e : root.elements()) {
        if (e->is(kDav, "allprop") || e->is(kDav, "propname") || e->is(kDav, "prop")) {
            if (chosen) return Status::invalid("PROPFIND asks for more than one kind");
            chosen = true;
            if (e->is(kDav, "propname")) {
                request.kind = PropfindRequest::Kind::PropName;
            } else if (e->is(kDav, "prop")) {
                request.kind = PropfindRequest::Kind::Prop;
                names(*e, request.properties);
            }
        } else if (e->is(kDav, "include")) {
            names(*e, request.include);
        }
    }
    if (!chosen) return Status::invalid("PROPFIND names neither allprop, propname nor prop");
    return Status::ok();
}

Status DavRequests::parseProppatch(const std::string& body, ProppatchRequest& request) {
    request = ProppatchRequest();
    XmlNode root;
    if (Status s = DavXml::parse(body, root); !s) return s;
    if (!root.is(kDav, "propertyupdate")) return Status::invalid("expected DAV:propertyupdate");
    for (const XmlNode* action : root.elements()) {
        const bool set = action->is(kDav, "set");
        if (!set && !action->is(kDav, "remove")) continue;
        const XmlNode* prop = action->child(kDav, "prop");
        if (!prop) return Status::invalid("set or remove without DAV:prop");
        for (const XmlNode* p : prop->elements()) {
            PropertyChange change;
            change.property = {p->ns, p->name};
            change.set = set;
            if (set) {
                change.valueXml = DavXml::innerXml(*p);
                change.valueText = p->textContent();
            }
            request.changes.push_back(std::move(change));
        }
    }
    if (request.changes.empty()) return Status::invalid("PROPPATCH changes nothing");
    return Status::ok();
}

Status DavRequests::parseLock(const std::string& body, LockRequest& request) {
    request = LockRequest();
    if (blank(body)) {
        request.refresh = true;
        return Status::ok();
    }
    XmlNode root;
    if (Status s = DavXml::parse(body, root); !s) return s;
    if (!root.is(kDav, "lockinfo")) return Status::invalid("expected DAV:lockinfo");
    const XmlNode* scope = root.child(kDav, "lockscope");
    const XmlNode* type = root.child(kDav, "locktype");
    if (!scope || !type) return Status::invalid("lockinfo needs lockscope and locktype");
    if (scope->child(kDav, "exclusive")) {
        request.exclusive = true;
    } else if (scope->child(kDav, "shared")) {
        request.exclusive = false;
    } else {
        return Status::invalid("unknown lock scope");
    }
    if (!type->child(kDav, "write")) return Status::invalid("only write locks exist");
    if (const XmlNode* owner = root.child(kDav, "owner")) {
        request.ownerXml = DavXml::innerXml(*owner);
    }
    return Status::ok();
}

}  // namespace dad
