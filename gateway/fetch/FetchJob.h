// FetchJob: the `fetch` job handler (seed 003). One run: read the payload
// (FetchRequestCodec JSON), pick the target path, ask the policy's
// fetch_requested hook (event.path = the target, event.address = the URL's
// host, protocol "fetch"; a deny ends the job with the reason), fetch
// through Fetcher and store through a Session opened for the user, so
// dedup, quota and the durability rule are the upload path's. On success the
// fetch is audited and a `notify` job is queued:
//   {"type":"fetched","user":...,"path":...,"bytes":N,"sha256":...}
// A failed fetch leaves nothing visible and nothing partial.
//
// The target: `into` "" -> /files/<name>; "X/" or an existing folder X ->
// X/<name>; anything else is the full path. <name> is the URL path's last
// segment when VirtualPath::checkName accepts it, else "fetched-<job id>".
// A file of the same name is replaced (so a re-run after a crash is idempotent).
#pragma once

#include <string>

#include "Catalog.h"
#include "Fetcher.h"
#include "Gateway.h"

namespace dad {

class FetchJob {
public:
    FetchJob(Gateway& gateway, FetchLimits limits) : gateway_(gateway), limits_(limits) {}

    // The JobQueue handler. Errors that cannot heal by waiting come back as
    // PermissionDenied or InvalidArgument, which the queue does not retry.
    Status run(const JobRecord& job);

    // The name a URL's content is stored under (see above).
    static std::string nameFor(const std::string& url, int64_t jobId);

private:
    Status targetPath(Session& session, const std::string& into, const std::string& name,
                      std::string& path);

    Gateway& gateway_;
    FetchLimits limits_;
};

}  // namespace dad
