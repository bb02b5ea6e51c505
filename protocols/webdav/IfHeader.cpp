#include "IfHeader.h"

namespace dad {

namespace {

void skipSpace(const std::string& s, size_t& i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        ++i;
}

bool readUntil(const std::string& s, size_t& i, char close, std::string& out) {
    const size_t end = s.find(close, i);
    if (end == std::string::npos) return false;
    out = s.substr(i, end - i);
    i = end + 1;
    return true;
}

}  // namespace

Status IfHeader::parse(const std::string& header, std::vector<IfList>& lists) {
    lists.clear();
    if (header.size() > kMaxBytes) return Status::invalid("If header too long");
    const Status bad = Status::invalid("malformed If header");
    std::string resource;
    size_t i = 0;
    skipSpace(header, i);
    if (i == header.size()) return bad;
    while (i < header.size()) {
        if (header[i] == '<') {
            ++i;
            if (!readUntil(header, i, '>', resource)) return bad;
        } else if (header[i] == '(') {
            ++i;
            IfList list;
            list.resource = resource;
            for (;;) {
                skipSpace(header, i);
                if (i >= header.size()) return bad;
                if (header[i] == ')') {
                    ++i;
                    break;
                }
                IfCondition condition;
                if (header.compare(i, 3, "Not") == 0) {
                    condition.negated = true;
                    i += 3;
                    skipSpace(header, i);
                    if (i >= header.size()) return bad;
                }
                if (header[i] == '<') {
                    ++i;
                    if (!readUntil(header, i, '>', condition.value)) return bad;
                } else if (header[i] == '[') {
                    ++i;
                    condition.isEtag = true;
                    if (!readUntil(header, i, ']', condition.value)) return bad;
                } else {
                    return bad;
                }
                list.conditions.push_back(std::move(condition));
            }
            if (list.conditions.empty()) return bad;
            lists.push_back(std::move(list));
        } else {
            return bad;
        }
        skipSpace(header, i);
    }
    if (lists.empty()) return bad;
    return Status::ok();
}

std::set<std::string> IfHeader::tokens(const std::vector<IfList>& lists) {
    std::set<std::string> out;
    for (const IfList& list : lists) {
        for (const IfCondition& c : list.conditions) {
            if (!c.isEtag && !c.negated) out.insert(c.value);
        }
    }
    return out;
}

bool IfHeader::evaluate(
    const std::vector<IfList>& lists,
    const std::function<bool(const std::string&, const std::string&)>& tokenMatches,
    const std::function<bool(const std::string&, const std::string&)>& etagMatches) {
    for (const IfList& list : lists) {
        bool all = true;
        for (const IfCondition& c : list.conditions) {
            const bool holds = c.isEtag ? etagMatches(list.resource, c.value)
                                        : tokenMatches(list.resource, c.value);
            if (holds == c.negated) {
                all = false;
                break;
            }
        }
        if (all) return true;
    }
    return false;
}

}  // namespace dad
