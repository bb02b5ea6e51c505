// The command groups of dadctl. Each returns the process exit code and
// writes results to stdout, errors to stderr.
#pragma once

#include <string>
#include <vector>

#include "Gateway.h"

namespace dad::ctl {

int userCommand(Gateway& gateway, const std::vector<std::string>& words);
int packageCommand(Gateway& gateway, const std::vector<std::string>& words);
int checkCommand(Gateway& gateway);
int jobCommand(Gateway& gateway, const std::vector<std::string>& words);
int policyCommand(Gateway& gateway, const std::vector<std::string>& words);
int fetchCommand(Gateway& gateway, const std::vector<std::string>& words);
int siteCommand(Gateway& gateway, const std::vector<std::string>& words);
int groupCommand(Gateway& gateway, const std::vector<std::string>& words);
int banCommand(Gateway& gateway, const std::vector<std::string>& words);

// Prints "dadctl: <message>" to stderr and returns 1 (2 for usage errors).
int fail(const std::string& message, int code = 1);

}  // namespace dad::ctl
