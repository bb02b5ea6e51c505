// Api: the REST API under /api/v1/ on the HTTPS listener (plugged in through
// WebDavServer's page hook, as the package pages are). JSON over HTTPS only;
// the routes are ApiRoutes' table, the rules the admin layer's (Admin).
//
// Authentication: "Authorization: Bearer <token>" (an API token, its scope
// read, write or admin), or the console's session: POST /api/v1/session
// with name and password (the gateway's password check, with its failed-login
// rule and bans) sets the cookie dad_session (HttpOnly; Secure;
// SameSite=Strict; Path=/) and answers a CSRF token; every request with the
// cookie other than GET and HEAD must send it in X-CSRF-Token. The CSRF
// token is the SHA-256 of "csrf:" and the session's secret, so it needs no
// storage and GET /api/v1/session can give it again after a reload.
// Sessions are kept in the catalog (by their SHA-256) so a restart logs
// nobody out; they expire after sessionSeconds.
// Thread-safe: one handler object per request.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>

#include <cstdint>

#include "Admin.h"

namespace dad {

struct ApiOptions {
    int64_t sessionSeconds = 8 * 3600;
    size_t maxJsonBytes = 1 << 20;  // a larger JSON body is 413
};

class Api {
public:
    static constexpr const char* kPrefix = "/api/v1/";
    static constexpr const char* kCookie = "dad_session";

    Api(Admin& admin, ApiOptions options);

    // A handler for a request under /api/v1/ (or /api/v1), nullptr otherwise.
    Poco::Net::HTTPRequestHandler* handlerFor(const Poco::Net::HTTPServerRequest& request,
                                              bool secure);

    Admin& admin() { return admin_; }
    const ApiOptions& options() const { return options_; }
    // The CSRF token of a session secret.
    static std::string csrfToken(const std::string& sessionToken);

private:
    Admin& admin_;
    ApiOptions options_;
};

}  // namespace dad
