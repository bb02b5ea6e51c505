#include "DavXml.h"
#include "MarkupEscape.h"

#include <Poco/Exception.h>
#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/LexicalHandler.h>
#include <Poco/SAX/SAXParser.h>

#include <algorithm>
#include <cctype>

namespace dad {

namespace {

bool containsNoCase(const std::string& haystack, const std::string& needle) {
    auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                          [](char a, char b) {
                              return std::toupper(static_cast<unsigned char>(a)) ==
                                     std::toupper(static_cast<unsigned char>(b));
                          });
    return it != haystack.end();
}

// Builds the tree; past a limit it only records the refusal (expat keeps its
// own memory bounded by the body size).
class TreeBuilder : public Poco::XML::DefaultHandler, public Poco::XML::LexicalHandler {
public:
    explicit TreeBuilder(XmlNode& root) : root_(root) {}

    void startElement(const Poco::XML::XMLString& uri, const Poco::XML::XMLString& localName,
                      const Poco::XML::XMLString&, const Poco::XML::Attributes& attrs) override {
        ++depth_;
        if (!refusal_.empty()) return;
        if (depth_ > DavXml::kMaxDepth) return refuse("XML nested too deeply");
        if (++elements_ > DavXml::kMaxElements) return refuse("too many XML elements");
        XmlNode node;
        node.ns = uri;
        node.name = localName;
        for (int i = 0; i < attrs.getLength(); ++i) {
            const std::string ns = attrs.getURI(i);
            const std::string name = attrs.getLocalName(i);
            node.attributes.emplace_back(ns.empty() ? name : "{" + ns + "}" + name,
                                         attrs.getValue(i));
        }
        if (stack_.empty()) {
            root_ = std::move(node);
            stack_.push_back(&root_);
        } else {
            stack_.back()->children.push_back(std::move(node));
            stack_.push_back(&stack_.back()->children.back());
        }
    }

    void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                    const Poco::XML::XMLString&) override {
        if (depth_ > 0) --depth_;
        if (!refusal_.empty() || stack_.empty()) return;
        stack_.pop_back();
    }

    void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
        if (!refusal_.empty() || stack_.empty()) return;
        auto& children = stack_.back()->children;
        if (children.empty() || !children.back().isText) {
            if (++elements_ > DavXml::kMaxElements) return refuse("too many XML nodes");
            XmlNode text;
            text.isText = true;
            children.push_back(std::move(text));
        }
        children.back().text.append(ch + start, static_cast<size_t>(length));
    }

    void startDTD(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                  const Poco::XML::XMLString&) override {
        refuse("a DOCTYPE is not accepted");
    }
    void endDTD() override {}
    void startEntity(const Poco::XML::XMLString&) override { refuse("entities are not accepted"); }
    void endEntity(const Poco::XML::XMLString&) override {}
    void startCDATA() override {}
    void endCDATA() override {}
    void comment(const Poco::XML::XMLChar[], int, int) override {}

    const std::string& refusal() const { return refusal_; }
    bool sawRoot() const { return !stack_.empty() || elements_ > 0; }

private:
    void refuse(const std::string& why) {
        if (refusal_.empty()) refusal_ = why;
    }

    XmlNode& root_;
    std::vector<XmlNode*> stack_;
    size_t depth_ = 0;
    size_t elements_ = 0;
    std::string refusal_;
};

void writeElement(const XmlNode& node, std::string& out, int& counter) {
    if (node.isText) {
        out += escapeMarkup(node.text);
        return;
    }
    std::string tag;
    std::string declarations;
    if (node.ns.empty()) {
        tag = node.name;
        declarations = " xmlns=\"\"";
    } else {
        const std::string prefix = "x" + std::to_string(++counter);
        tag = prefix + ":" + node.name;
        declarations = " xmlns:" + prefix + "=\"" + escapeMarkup(node.ns) + "\"";
    }
    out += "<" + tag + declarations;
    for (const auto& [key, value] : node.attributes) {
        if (!key.empty() && key[0] == '{') {
            const size_t close = key.find('}');
            const std::string prefix = "a" + std::to_string(++counter);
            out += " xmlns:" + prefix + "=\"" + escapeMarkup(key.substr(1, close - 1)) + "\" " +
                   prefix + ":" + key.substr(close + 1);
        } else {
            out += " " + key;
        }
        out += "=\"" + escapeMarkup(value) + "\"";
    }
    if (node.children.empty()) {
        out += "/>";
        return;
    }
    out += ">";
    for (const XmlNode& child : node.children)
        writeElement(child, out, counter);
    out += "</" + tag + ">";
}

}  // namespace

std::vector<const XmlNode*> XmlNode::elements() const {
    std::vector<const XmlNode*> out;
    for (const XmlNode& c : children) {
        if (!c.isText) out.push_back(&c);
    }
    return out;
}

const XmlNode* XmlNode::child(const char* nsUri, const char* localName) const {
    for (const XmlNode& c : children) {
        if (c.is(nsUri, localName)) return &c;
    }
    return nullptr;
}

std::string XmlNode::textContent() const {
    if (isText) return text;
    std::string out;
    for (const XmlNode& c : children)
        out += c.textContent();
    return out;
}

Status DavXml::parse(const std::string& body, XmlNode& root) {
    root = XmlNode();
    if (body.size() > kMaxBodyBytes) return Status::invalid("XML body too large");
    // Only UTF-8: a UTF-16 body could hide a DOCTYPE from the scan below.
    if (body.find('\0') != std::string::npos) return Status::invalid("XML body is not UTF-8");
    if (containsNoCase(body, "<!DOCTYPE") || containsNoCase(body, "<!ENTITY")) {
        return Status::invalid("a DOCTYPE is not accepted");
    }
    TreeBuilder builder(root);
    try {
        Poco::XML::SAXParser parser;
        parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
        // With prefixes Poco uses its strategy that clears the namespace of an
        // unqualified name; without, xmlns="" keeps the previous element's URI.
        parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACE_PREFIXES, true);
        parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
        parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
        parser.setContentHandler(&builder);
        parser.setErrorHandler(&builder);
        parser.setProperty(Poco::XML::XMLReader::PROPERTY_LEXICAL_HANDLER,
                           static_cast<Poco::XML::LexicalHandler*>(&builder));
        parser.parseMemoryNP(body.data(), body.size());
    } catch (const Poco::Exception& e) {
        if (!builder.refusal().empty()) return Status::invalid(builder.refusal());
        return Status::invalid("malformed XML");
    } catch (const std::exception&) {
        return Status::invalid("malformed XML");
    }
    if (!builder.refusal().empty()) return Status::invalid(builder.refusal());
    if (root.name.empty()) return Status::invalid("no XML document element");
    return Status::ok();
}

std::string DavXml::innerXml(const XmlNode& element) {
    std::string out;
    int counter = 0;
    for (const XmlNode& child : element.children)
        writeElement(child, out, counter);
    return out;
}

}  // namespace dad
