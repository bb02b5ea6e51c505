// PluginLoader: loads the C++ policy plugins of a directory (see
// plugins/include/dadgate/plugin.h for the contract) and wraps each as a
// PolicyHandler. Loaded once, never unloaded.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "PolicyEngine.h"
#include "Status.h"

namespace dad {

// A plugin's configuration section: key (without "plugins.<name>.") -> value.
using PluginSection = std::map<std::string, std::string>;

// Loads every *.so of `directory` in name order. `sectionFor(name)` gives a
// plugin's configuration. Fails, naming the plugin and the reason, on a
// library that cannot be opened, a missing entry, a wrong ABI version, a
// duplicate name or a configuration the plugin refuses; a missing directory
// is no plugin.
Status loadPlugins(const std::string& directory,
                   const std::function<PluginSection(const std::string& name)>& sectionFor,
                   std::vector<std::unique_ptr<PolicyHandler>>& handlers);

}  // namespace dad
