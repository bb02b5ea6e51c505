// DeadProperties: the WebDAV dead properties of one account's namespace, by
// virtual path. Kept in the catalog with the node they describe (a move keeps
// them, a removal drops them). Places that are not stored nodes (/, the area
// folders, generated files) have none and refuse changes. Used by one
// request's thread at a time.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "Catalog.h"
#include "Status.h"

namespace dad {

class Gateway;

class DeadProperties {
public:
    virtual ~DeadProperties() = default;
    virtual Status list(const std::string& path, std::vector<DeadProperty>& properties) = 0;
    // The properties of the entries `names` of the folder `folder`, by name (a
    // name without any is absent): as list() of each, in one catalog query
    // where the folder is a stored one (a PROPFIND Depth 1 of a large folder).
    virtual Status listChildren(const std::string& folder, const std::vector<std::string>& names,
                                std::map<std::string, std::vector<DeadProperty>>& byName) = 0;
    // All or nothing. PermissionDenied where the account may not change things.
    virtual Status change(const std::string& path,
                          const std::vector<std::pair<DeadProperty, bool>>& changes) = 0;
    // After a COPY: `to` gets the properties of `from`.
    virtual Status copy(const std::string& from, const std::string& to) = 0;

    // The properties of `accountName`'s namespace in `gateway`.
    static Status open(Gateway& gateway, const std::string& accountName,
                       std::unique_ptr<DeadProperties>& properties);
};

}  // namespace dad
