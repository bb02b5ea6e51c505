// The command groups of dadctl: thin printers over the admin layer (Admin),
// called as the operator. Each returns the process exit code and writes
// results to stdout, errors to stderr.
#pragma once

#include <string>
#include <vector>

#include "Admin.h"

namespace dad::ctl {

int userCommand(Admin& admin, const std::vector<std::string>& words);
int packageCommand(Admin& admin, const std::vector<std::string>& words);
int checkCommand(Admin& admin);
int jobCommand(Admin& admin, const std::vector<std::string>& words);
int policyCommand(Admin& admin, const std::vector<std::string>& words);
int fetchCommand(Admin& admin, const std::vector<std::string>& words);
int siteCommand(Admin& admin, const std::vector<std::string>& words);
int groupCommand(Admin& admin, const std::vector<std::string>& words);
int banCommand(Admin& admin, const std::vector<std::string>& words);
int tokenCommand(Admin& admin, const std::vector<std::string>& words);

// Prints "dadctl: <message>" to stderr and returns 1 (2 for usage errors).
int fail(const std::string& message, int code = 1);

// The operator: dadctl runs on the server's shell with every right.
inline const Caller& operatorCaller() {
    static const Caller caller = Caller::operatorCaller();
    return caller;
}

}  // namespace dad::ctl
