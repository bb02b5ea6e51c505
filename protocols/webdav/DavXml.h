// DavXml: the safe XML reader of the WebDAV front. Request bodies (PROPFIND,
// PROPPATCH, LOCK) are parsed into a small namespace-aware tree with hard
// limits: a DOCTYPE (hence any entity declaration) is refused, and so are
// bodies past kMaxBodyBytes, trees deeper than kMaxDepth or with more than
// kMaxElements elements, and anything that is not well-formed UTF-8 XML with
// valid namespaces. A pure function of bytes; never throws.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "Status.h"

namespace dad {

struct XmlNode {
    bool isText = false;
    std::string text;  // isText: the character data
    std::string ns;    // element: namespace URI ("" for none)
    std::string name;  // element: local name
    std::vector<std::pair<std::string, std::string>> attributes;  // "{ns}name" or "name", value
    std::vector<XmlNode> children;

    bool is(const char* nsUri, const char* localName) const {
        return !isText && ns == nsUri && name == localName;
    }
    // Element children only.
    std::vector<const XmlNode*> elements() const;
    // The first element child with that name, or nullptr.
    const XmlNode* child(const char* nsUri, const char* localName) const;
    // The concatenated character data of this element and its descendants.
    std::string textContent() const;
};

class DavXml {
public:
    static constexpr size_t kMaxBodyBytes = 1 << 20;
    static constexpr size_t kMaxDepth = 32;
    static constexpr size_t kMaxElements = 5000;

    // Parses `body` into `root` (the document element). InvalidArgument with a
    // short reason for anything refused.
    static Status parse(const std::string& body, XmlNode& root);

    // The children of `element` written back as an XML fragment that declares
    // every namespace it uses, so it can be stored and replayed inside another
    // document (dead property values).
    static std::string innerXml(const XmlNode& element);
};

}  // namespace dad
