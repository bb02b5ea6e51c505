// ConfigKeys: the one table of the configuration keys dadgate knows, and
// what dadgate and dadctl do with it when they load a configuration:
// unknown keys are refused (naming the nearest known key), relative paths
// in the file are made relative to the file's own directory, and the
// built-in plugins beside the binary are the default plugins.dir.
#pragma once

#include <Poco/Util/AbstractConfiguration.h>

#include <string>
#include <vector>

#include "Status.h"

namespace dad {

struct ConfigKey {
    const char* name;
    bool path;  // a file or folder: relative to the configuration file
};

// Every key dadgate reads, its own and those of the plugins built with it
// (notify: smtp.*, webhook.*, notify.*; fetch: fetch.*; forward: forward.*).
const std::vector<ConfigKey>& knownConfigKeys();

// Keys under `plugins.<name>.` belong to that plugin, which checks its own
// section when it is made; dadgate does not refuse them.
bool isPluginSectionKey(const std::string& key);

// The known key nearest to `key` by edit distance (ties: the first in the
// table).
std::string nearestConfigKey(const std::string& key);

// Levenshtein distance between two strings.
size_t editDistance(const std::string& a, const std::string& b);

// Ok when every key of `config` is known; otherwise InvalidArgument naming
// the first unknown key and the nearest known one.
Status checkConfigKeys(const Poco::Util::AbstractConfiguration& config);

// Every leaf key of `config` (a key with a value), in Poco's order.
std::vector<std::string> allConfigKeys(const Poco::Util::AbstractConfiguration& config);

// `value` if absolute or empty, else `value` under `directory`.
std::string resolvePath(const std::string& directory, const std::string& value);

// The folder of the running executable (/proc/self/exe), "" if unknown.
std::string executableDirectory();

// The built-in plugins beside the binary `binaryDir`: <binaryDir>/lib/dadgate/plugins
// (a build tree) when it exists, else <binaryDir>/../lib/dadgate/plugins
// (/usr/sbin/dadgate and /usr/lib/dadgate/plugins).
std::string builtInPluginDirectory(const std::string& binaryDir);

}  // namespace dad
