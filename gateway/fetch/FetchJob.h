// FetchJob: the `fetch` job handler (seed 003). One run: read the payload
// (FetchRequestCodec JSON), ask FetchAdmission (target path, quota, the
// policy's fetch_requested hook; a deny ends the job with the reason), fetch
// through Fetcher and store through a Session opened for the user, so
// dedup, quota and the durability rule are the upload path's. On success the
// result (stored path, bytes, sha256) is recorded in the job's payload, the
// fetch is audited and a `notify` job is queued:
//   {"type":"fetched","user":...,"path":...,"bytes":N,"sha256":...}
// A failed fetch leaves nothing visible and nothing partial.
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

private:
    Gateway& gateway_;
    FetchLimits limits_;
};

}  // namespace dad
