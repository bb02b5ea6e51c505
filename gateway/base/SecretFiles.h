// SecretFiles: secrets kept out of the catalog and the logs, one file per
// secret in a folder of the data directory (mode 0700), each file mode 0600,
// written atomically and fsynced. Used for a fetch's credentials
// (<data>/fetch-credentials/<token>) and a site's password or key
// (<data>/site-secrets/<site>).
// Names are 1 to 64 characters of [A-Za-z0-9._-], never "." or "..".
// Thread-safe (distinct names); nothing here logs a secret.
#pragma once

#include <string>

#include "Status.h"

namespace dad {

class SecretFiles {
public:
    SecretFiles(const std::string& dataDir, const std::string& folder)
        : dir_(dataDir + "/" + folder) {}

    static bool safeName(const std::string& name);

    // Writes (replacing) the secret `name`. InvalidArgument for an unsafe name.
    Status save(const std::string& name, const std::string& content);
    // NotFound when there is no such secret.
    Status load(const std::string& name, std::string& content) const;
    void remove(const std::string& name);

private:
    std::string path(const std::string& name) const { return dir_ + "/" + name; }

    std::string dir_;
};

}  // namespace dad
