// DavRequests: the bodies of PROPFIND, PROPPATCH and LOCK read into plain
// structs (RFC 4918 sections 9.1, 9.2, 9.10). Pure functions of bytes over
// DavXml; a malformed or refused body gives InvalidArgument (HTTP 400).
#pragma once

#include <string>
#include <vector>

#include "DavXml.h"
#include "Status.h"

namespace dad {

struct PropertyName {
    std::string ns;
    std::string name;
    bool operator==(const PropertyName& o) const { return ns == o.ns && name == o.name; }
    bool operator<(const PropertyName& o) const {
        return ns < o.ns || (ns == o.ns && name < o.name);
    }
};

struct PropfindRequest {
    enum class Kind { AllProp, PropName, Prop };
    Kind kind = Kind::AllProp;
    std::vector<PropertyName> properties;  // Prop: the names asked for
    std::vector<PropertyName> include;     // AllProp: <include> names
};

struct PropertyChange {
    PropertyName property;
    bool set = true;        // false: remove
    std::string valueXml;   // set: the value as a self-contained XML fragment
    std::string valueText;  // set: its character data (for live properties)
};

struct ProppatchRequest {
    std::vector<PropertyChange> changes;  // in document order
};

struct LockRequest {
    bool refresh = false;  // an empty body: refresh the submitted lock
    bool exclusive = true;
    std::string ownerXml;  // the <owner> content, replayed in lockdiscovery
};

class DavRequests {
public:
    // An empty body is allprop.
    static Status parsePropfind(const std::string& body, PropfindRequest& request);
    static Status parseProppatch(const std::string& body, ProppatchRequest& request);
    // An empty body is a refresh.
    static Status parseLock(const std::string& body, LockRequest& request);
};

}  // namespace dad
