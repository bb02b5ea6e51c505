// libFuzzer target: the WebDAV If header (RFC 4918 section 10.4). Findings:
// a crash or sanitizer report; lists that, written back in the header's
// grammar, parse to other lists; a token of tokens() that no condition
// names; and evaluate() disagreeing with the lists when every condition is
// answered true (a list holds exactly when it has no "Not").
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "IfHeader.h"

namespace {

using dad::IfCondition;
using dad::IfList;

std::string write(const std::vector<IfList>& lists) {
    std::string out;
    std::string resource;
    for (const IfList& list : lists) {
        if (list.resource != resource) out += "<" + list.resource + "> ";
        resource = list.resource;
        out += "(";
        for (const IfCondition& c : list.conditions) {
            if (c.negated) out += "Not ";
            out += c.isEtag ? "[" + c.value + "] " : "<" + c.value + "> ";
        }
        out += ") ";
    }
    return out;
}

bool same(const std::vector<IfList>& a, const std::vector<IfList>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].resource != b[i].resource) return false;
        if (a[i].conditions.size() != b[i].conditions.size()) return false;
        for (size_t j = 0; j < a[i].conditions.size(); ++j) {
            const IfCondition& x = a[i].conditions[j];
            const IfCondition& y = b[i].conditions[j];
            if (x.negated != y.negated || x.isEtag != y.isEtag || x.value != y.value) return false;
        }
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string header(reinterpret_cast<const char*>(data), size);
    std::vector<IfList> lists;
    if (!dad::IfHeader::parse(header, lists)) {
        if (!lists.empty() && header.size() > dad::IfHeader::kMaxBytes) abort();
        return 0;
    }
    if (lists.empty()) abort();
    const std::string written = write(lists);
    std::vector<IfList> again;
    if (written.size() <= dad::IfHeader::kMaxBytes) {
        if (!dad::IfHeader::parse(written, again) || !same(lists, again)) abort();
    }
    bool anyPlain = false;
    for (const IfList& list : lists) {
        if (list.conditions.empty()) abort();
        bool plain = true;
        for (const IfCondition& c : list.conditions)
            plain = plain && !c.negated;
        anyPlain = anyPlain || plain;
    }
    const auto yes = [](const std::string&, const std::string&) { return true; };
    if (dad::IfHeader::evaluate(lists, yes, yes) != anyPlain) abort();
    for (const std::string& token : dad::IfHeader::tokens(lists)) {
        bool named = false;
        for (const IfList& list : lists) {
            for (const IfCondition& c : list.conditions)
                named = named || (!c.isEtag && !c.negated && c.value == token);
        }
        if (!named) abort();
    }
    return 0;
}
