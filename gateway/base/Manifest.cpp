#include "Manifest.h"

#include <Poco/String.h>

#include "Addresses.h"

#include <cctype>
#include <ctime>
#include <set>

namespace dad {

namespace {

bool isAddress(const std::string& a) {
    if (a.empty() || a.size() > 254) return false;
    for (char c : a) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || c == ',' || c == ';' || c == '<' || c == '>' || c == '"' || u == 0x7F) {
            return false;
        }
    }
    if (a.find('@') == std::string::npos) return true;  // an account name
    return isEmailAddress(a) || isGroupReference(a);
}

bool parseList(const std::string& value, std::vector<std::string>& out, std::string& bad) {
    size_t start = 0;
    for (;;) {
        const size_t end = value.find(',', start);
        const std::string item = Poco::trim(value.substr(start, end - start));
        if (!item.empty()) {
            if (!isAddress(item)) {
                bad = item;
                return false;
            }
            out.push_back(item);
        }
        if (end == std::string::npos) return true;
        start = end + 1;
    }
}

bool parsePositive(const std::string& text, int64_t max, int64_t& out) {
    if (text.empty() || text.size() > 12) return false;
    for (char c : text) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    out = std::stoll(text);
    return out > 0 && out <= max;
}

}  // namespace

bool ManifestParser::parseDuration(const std::string& text, int64_t& seconds) {
    if (text.size() < 2) return false;
    int64_t n = 0;
    if (!parsePositive(text.substr(0, text.size() - 1), 100000000, n)) return false;
    switch (text.back()) {
        case 's':
            seconds = n;
            break;
        case 'm':
            seconds = n * 60;
            break;
        case 'h':
            seconds = n * 3600;
            break;
        case 'd':
            seconds = n * 86400;
            break;
        case 'w':
            seconds = n * 7 * 86400;
            break;
        default:
            return false;
    }
    return seconds <= int64_t{100} * 365 * 86400;
}

bool ManifestParser::parseDateTime(const std::string& text, int64_t& seconds) {
    std::tm tm{};
    int year, month, day, hour = 0, minute = 0, second = 0;
    char tail = 0;
    if (text.size() == 10) {
        if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &year, &month, &day, &tail) != 3) {
            return false;
        }
    } else if (text.size() == 20 && text[10] == 'T' && text[19] == 'Z') {
        if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ", &year, &month, &day, &hour,
                        &minute, &second) != 6) {
            return false;
        }
    } else {
        return false;
    }
    if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 60) {
        return false;
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    seconds = static_cast<int64_t>(timegm(&tm));
    return true;
}

Status ManifestParser::parse(const std::string& text, Manifest& m) {
    if (text.size() > kMaxBytes) {
        return Status::invalid(".dad is larger than " + std::to_string(kMaxBytes) + " bytes");
    }
    m = Manifest();
    std::set<std::string> seen;
    size_t lineNumber = 0, start = 0;
    while (start < text.size()) {
        ++lineNumber;
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        start = end + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto fail = [&](const std::string& why) {
            return Status::invalid(".dad line " + std::to_string(lineNumber) + ": " + why);
        };
        const std::string content = Poco::trim(line);
        if (content.empty() || content[0] == '#') continue;
        for (char c : line) {
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7F) return fail("control character");
        }
        const size_t eq = content.find('=');
        if (eq == std::string::npos) return fail("expected key = value");
        const std::string key = Poco::trim(content.substr(0, eq));
        const std::string value = Poco::trim(content.substr(eq + 1));
        const bool repeatable = key == "to" || key == "cc" || key == "message";
        if (!repeatable && !seen.insert(key).second) return fail("duplicate key '" + key + "'");
        std::string bad;
        if (key == "to" || key == "cc") {
            if (!parseList(value, key == "to" ? m.to : m.cc, bad)) {
                return fail("'" + bad + "' is not an account name, e-mail address or @group");
            }
        } else if (key == "message") {
            if (!m.message.empty()) m.message += "\n";
            m.message += value;
        } else if (key == "expires") {
            int64_t seconds = 0;
            if (parseDuration(value, seconds)) {
                m.expiresAfter = seconds;
            } else if (parseDateTime(value, seconds)) {
                m.expiresAt = seconds;
            } else {
                return fail(
                    "expires must be a duration (7d, 24h, 30m) or a date "
                    "(2026-12-01 or 2026-12-01T12:00:00Z), not '" +
                    value + "'");
            }
        } else if (key == "max_downloads") {
            int64_t n = 0;
            if (!parsePositive(value, 1000000, n)) {
                return fail("max_downloads must be a whole number from 1 to 1000000");
            }
            m.maxDownloads = n;
        } else if (key == "password") {
            if (value.empty()) return fail("password is empty");
            m.password = value;
        } else if (key == "notify") {
            if (value != "email" && value != "none") return fail("notify must be email or none");
            m.notify = value;
        } else if (key == "forward_to") {
            if (!parseList(value, m.forwardTo, bad))
                return fail("'" + bad + "' is not a site name");
            // An e-mail address passes parseList but names no site.
            for (const std::string& site : m.forwardTo) {
                if (site.find('@') != std::string::npos)
                    return fail("'" + site + "' is not a site name");
            }
        } else {
            return fail("unknown key '" + key + "'");
        }
    }
    return Status::ok();
}

}  // namespace dad
