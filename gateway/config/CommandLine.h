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
    // Relative paths in the file are made relative to the file's directory;
    // plugins.dir defaults to the built-in plugins beside the binary. Refuses
    // a key that is not in knownConfigKeys() (ConfigKeys.h), naming the
    // nearest known one.
    Status loadConfig(Poco::AutoPtr<Poco::Util::LayeredConfiguration>& config) const;
};

// The gateway's options from a configuration.
GatewayOptions gatewayOptions(const Poco::Util::AbstractConfiguration& config);

// The base of package links when public.url is not set: https://<host>:<https.port>
// (http and http.port when only plain HTTP listens), <host> being localhost
// for a listener bound to loopback and this machine's host name otherwise.
std::string defaultPublicUrl(const Poco::Util::AbstractConfiguration& config);

// Splits "--flag value" pairs and bare words after a command; flags named in
// `booleans` take no value. Unknown flags are refused.
Status parseFlags(const std::vector<std::string>& words, size_t from,
                  const std::vector<std::string>& valued, const std::vector<std::string>& booleans,
                  std::map<std::string, std::string>& flags, std::vector<std::string>& positional);

}  // namespace dad
