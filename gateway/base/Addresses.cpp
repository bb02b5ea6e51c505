#include "Addresses.h"

namespace dad {

bool isEmailAddress(const std::string& s) {
    const size_t at = s.find('@');
    return s.size() <= 254 && at != std::string::npos && at > 0 && at == s.rfind('@') &&
           s.find('.', at) != std::string::npos && s.back() != '.' &&
           s.find_first_of(" \t\r\n,;<>\"") == std::string::npos;
}

bool isGroupName(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
    }
    return true;
}

bool isGroupReference(const std::string& text, std::string* name) {
    if (text.size() < 2 || text[0] != '@' || !isGroupName(text.substr(1))) return false;
    if (name) *name = text.substr(1);
    return true;
}

}  // namespace dad
