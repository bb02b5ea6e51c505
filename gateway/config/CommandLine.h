// CommandLine: what dadgate and dadctl share on their command lines:
// `--config FILE` and any number of `--define key=value` (which override the
// file), followed by the words of a command and its own flags.
#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/Util/LayeredConfiguration.h>

#include <map>
#include <string>
#include <vector>

#include "Gateway.h"
#include "Status.h"

namespace dad {

struct CommandLine {
    std::string configFile;
    std::vector<std::pair<std::string, std::string>> defines;
    std::vector<std::string> words;  // everything else, in order

    // Parses argv[1..]. Refuses a --config or --define without its value.
    static Status parse(int argc, char** argv, CommandLine& out);

    // The layered configuration: built-in defaults < the file < the defines.
    Status loadConfig(Poco::AutoPtr<Poco::Util::LayeredConfiguration>& config) const;
};

// The gateway's options from a configuration.
GatewayOptions gatewayOptions(const Poco::Util::AbstractConfiguration& config);

// Splits "--flag value" pairs and bare words after a command; flags named in
// `booleans` take no value. Unknown flags are refused.
Status parseFlags(const std::vector<std::string>& words, size_t from,
                  const std::vector<std::string>& valued, const std::vector<std::string>& booleans,
                  std::map<std::string, std::string>& flags, std::vector<std::string>& positional);

}  // namespace dad
