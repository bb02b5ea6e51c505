// FetchArea: the /fetch folder of one account (seed 003). A user asks the
// gateway to fetch a URL by uploading NAME.fetch here, over any protocol, in
// the format of FetchRequestCodec::parseFile. The file is parsed when its
// upload closes: a malformed one is refused with the parser's message and
// nothing is kept; an accepted one is checked by FetchAdmission (policy and
// quota), its user and password go to FetchCredentials, and a `fetch` job is
// queued for its `at` (now when absent). The uploaded bytes are not stored.
//
// Listing /fetch shows each request as a read-only NAME.fetch whose content
// is its status (url, at, into, state: queued, running, done with the stored
// path, failed with the reason; never the password). Uploading NAME.fetch
// again replaces a request that has not started; removing NAME.fetch cancels
// a queued job, or forgets a request that has ended.
//
// The requests are the account's `fetch` jobs whose payload names a request
// file (FetchRequest::request); the newest job of a name is the request.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Authenticator.h"
#include "Catalog.h"
#include "FetchRequest.h"
#include "Session.h"

namespace dad {

class Gateway;

class FetchArea {
public:
    struct Entry {
        std::string name;
        std::string text;  // the status shown as the file's content
        int64_t mtime = 0;
    };

    FetchArea(Gateway& gateway, const AccountRecord& account);

    // Whether `name` may be uploaded here: NAME.fetch, a valid file name.
    static Status checkRequestName(const std::string& name);

    Status list(std::vector<Entry>& entries);
    Status find(const std::string& name, std::optional<Entry>& entry);

    // A stream that buffers the request file (at most kMaxFileBytes) and
    // submits it on close(); `session` must outlive the stream's close().
    Status openUpload(Session& session, const ConnectionInfo& connection, const std::string& name,
                      std::unique_ptr<WriteStream>& stream);
    // Parses and queues a request file (see above).
    Status submit(Session& session, const ConnectionInfo& connection, const std::string& name,
                  const std::string& text);
    Status remove(const std::string& name);

private:
    struct Request {
        JobRecord job;
        FetchRequest request;
    };
    // The newest job of every request file of the account (removed ones left out).
    Status requests(std::vector<Request>& out);
    Status findRequest(const std::string& name, std::optional<Request>& out);
    static std::string statusText(const Request& r);

    Gateway& gateway_;
    const AccountRecord& account_;
};

}  // namespace dad
