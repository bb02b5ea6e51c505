// Addresses: the syntax of what names a recipient — an account name, an
// e-mail address, or an address-book group written "@name" (see
// CatalogGroups.cpp). Syntax only: whether the account or group exists is
// the catalog's to say.
#pragma once

#include <string>

namespace dad {

// "someone@example.org": one '@' not first, a dot after it, not last; no
// blanks or list separators.
bool isEmailAddress(const std::string& text);

// A group's name: 1 to 64 of letters, digits, '.', '_', '-', starting with a
// letter or digit.
bool isGroupName(const std::string& text);

// "@team": a reference to the group "team". `name` receives "team".
bool isGroupReference(const std::string& text, std::string* name = nullptr);

}  // namespace dad
