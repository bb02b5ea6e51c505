// FetchAdmission: the one place that decides whether a fetch may go ahead,
// asked when a request file is accepted (FetchArea) and again when the job
// runs (FetchJob): the target path, the quota (room for one more file and
// some bytes left) and the policy's fetch_requested hook (event.path = the
// target, event.connection = protocol "fetch" and the URL's host).
//
// The target: `into` "" -> /files/<name>; "X/" or an existing folder X ->
// X/<name>; anything else is the full path. <name> is the URL path's last
// segment when VirtualPath::checkName accepts it, else `fallback`.
#pragma once

#include <string>

#include "Catalog.h"
#include "FetchRequest.h"
#include "Session.h"

namespace dad {

class Gateway;

class FetchAdmission {
public:
    // The name a URL's content is stored under (see above).
    static std::string nameFor(const std::string& url, const std::string& fallback);
    // The name used when the URL has none: the request file's name without
    // ".fetch", else "fetched-<job id>".
    static std::string fallbackName(const FetchRequest& request, int64_t jobId);

    static Status targetPath(Session& session, const std::string& into, const std::string& name,
                             std::string& path);

    // Target path, quota and policy for `request` on behalf of `account`,
    // whose namespace `session` is. PermissionDenied (policy), QuotaExceeded,
    // InvalidArgument (target) carry the reason; `path` is the target.
    static Status admit(Gateway& gateway, Session& session, const AccountRecord& account,
                        const FetchRequest& request, int64_t jobId, std::string& path);
};

}  // namespace dad
