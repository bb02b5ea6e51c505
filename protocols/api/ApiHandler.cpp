// The API's request handler: authentication, the route, the JSON body, and
// the one mapping of a Status to an HTTP status and a JSON error.
#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <sstream>

#include "Api.h"
#include "ApiRoutes.h"
#include "HttpHandlerScaffold.h"
#include "HttpStatusMap.h"
#include "HttpValues.h"
#include "Secrets.h"
#include "Sha256.h"

namespace dad {

using Poco::Net::HTTPResponse;

namespace {

class ApiHandler : public HttpHandlerScaffold {
public:
    ApiHandler(Api& api, bool secure)
        : HttpHandlerScaffold("dadgate.api"), api_(api), secure_(secure) {}

private:
    void dispatch() override {
        response_->set("X-Content-Type-Options", "nosniff");
        response_->set("Cache-Control", "no-store");
        if (!secure_) return sendError(403, "forbidden", "the API is served over HTTPS only");
        const ConnectionInfo connection{"api", request_->clientAddress().host().toString(),
                                        request_->clientAddress().port(), true};
        if (Status s = api_.admin().gateway().checkConnection(connection); !s) {
            return sendStatus(s);
        }
        Poco::URI uri;
        try {
            uri = Poco::URI(request_->getURI());
        } catch (const Poco::Exception&) {
            return sendError(400, "invalid", "the request URI is malformed");
        }
        std::map<std::string, std::string> params;
        bool pathKnown = false;
        const ApiRoute* route = matchRoute(request_->getMethod(), uri.getPath(), params, pathKnown);
        if (!route) {
            if (pathKnown) return sendError(405, "method_not_allowed", "no such method here");
            return sendError(404, "not_found", "no such API resource");
        }
        ApiCall call(api_, api_.admin(), *request_, *response_);
        call.params = params;
        call.caller.connection = connection;
        try {
            for (const auto& [key, value] : uri.getQueryParameters())
                call.query[key] = value;
        } catch (const Poco::Exception&) {
            return sendError(400, "invalid", "the query string is malformed");
        }
        if (route->authenticated && !authenticate(call, connection)) return;
        if (route->authenticated &&
            static_cast<int>(call.caller.scope) < static_cast<int>(route->scope)) {
            return sendError(
                403, "forbidden",
                std::string("this needs a credential of scope ") + scopeName(route->scope));
        }
        if (route->jsonBody && !readJson(call)) return;
        Status s = route->handler(call);
        if (call.bodyRead) markBodyRead();
        for (const auto& [name, value] : call.headers)
            response_->set(name, value);
        if (!s) return sendStatus(s);
        if (!call.reply) return sendEmpty(call.status);
        std::ostringstream out;
        call.reply->stringify(out);
        sendJson(call.status, out.str());
    }

    // A bearer token, or the session cookie (with the CSRF token on a change).
    bool authenticate(ApiCall& call, const ConnectionInfo& connection) {
        const std::string authorization = request_->get("Authorization", "");
        if (!authorization.empty()) {
            if (authorization.compare(0, 7, "Bearer ") != 0) {
                return unauthenticated("the Authorization header must be \"Bearer <token>\"");
            }
            if (!api_.admin().authenticateToken(authorization.substr(7), connection, call.caller)) {
                return unauthenticated("unknown, expired or revoked token");
            }
            return true;
        }
        const std::string session = cookieValue(request_->get("Cookie", ""), Api::kCookie);
        if (session.empty()) return unauthenticated("log in or send a bearer token");
        int64_t accountId = 0;
        AccountRecord account;
        if (session.size() > 256 ||
            !catalog_api::findSession(api_.admin().gateway().catalog(), Sha256::hex(session),
                                      accountId) ||
            !api_.admin().gateway().catalog().findAccountById(accountId, account)) {
            return unauthenticated("the session has ended: log in again");
        }
        const Scope scope = account.type == "admin" ? Scope::Admin : Scope::Write;
        if (!api_.admin().callerFor(account.name, scope, connection, call.caller)) {
            return unauthenticated("the session has ended: log in again");
        }
        const std::string& method = request_->getMethod();
        if (method != "GET" && method != "HEAD" &&
            !constantTimeEquals(request_->get("X-CSRF-Token", ""), Api::csrfToken(session))) {
            sendError(403, "csrf", "a change with the session cookie needs its X-CSRF-Token");
            return false;
        }
        call.sessionToken = session;
        return true;
    }

    bool unauthenticated(const std::string& message) {
        response_->set("WWW-Authenticate", "Bearer realm=\"dadgate\"");
        sendError(401, "unauthenticated", message);
        return false;
    }

    // The whole JSON body (bounded); none is an empty object.
    bool readJson(ApiCall& call) {
        const size_t limit = api_.options().maxJsonBytes;
        if (request_->hasContentLength() &&
            request_->getContentLength64() > static_cast<Poco::Int64>(limit)) {
            response_->setKeepAlive(false);
            sendError(413, "too_large",
                      "a JSON body is at most " + std::to_string(limit) + " bytes");
            return false;
        }
        if (!requestHasBody()) return true;
        sendContinueIfExpected();
        markBodyRead();
        std::string body;
        std::istream& in = request_->stream();
        char buffer[16384];
        while (in) {
            in.read(buffer, sizeof buffer);
            body.append(buffer, static_cast<size_t>(in.gcount()));
            if (body.size() > limit) {
                response_->setKeepAlive(false);
                sendError(413, "too_large",
                          "a JSON body is at most " + std::to_string(limit) + " bytes");
                return false;
            }
        }
        if (body.find_first_not_of(" \t\r\n") == std::string::npos) return true;
        try {
            Poco::JSON::Parser parser;
            Poco::Dynamic::Var parsed = parser.parse(body);
            if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
                sendError(400, "invalid", "the body must be a JSON object");
                return false;
            }
            call.body = parsed.extract<Poco::JSON::Object::Ptr>();
        } catch (const Poco::Exception& e) {
            sendError(400, "invalid", "malformed JSON: " + e.message());
            return false;
        }
        return true;
    }

    void sendInternalError() override { sendError(500, "failure", "internal error"); }

    void sendStatus(const Status& s) {
        int status = httpStatus(s.code(), HttpFront::Api);
        if (s.code() == StatusCode::Busy &&
            s.message().find("failed logins") != std::string::npos) {
            status = 429;
        }
        sendError(status, errorCode(s.code()), s.message());
    }

    void sendError(int status, const std::string& code, const std::string& message) {
        Poco::JSON::Object error;
        error.set("code", code);
        error.set("message", message);
        Poco::JSON::Object object;
        object.set("error", error);
        std::ostringstream out;
        object.stringify(out);
        sendJson(status, out.str());
    }

    void sendEmpty(int status) {
        finishRequestBody();
        response_->setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
        response_->setContentLength(0);
        response_->send();
    }

    void sendJson(int status, const std::string& body) {
        finishRequestBody();
        response_->setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
        response_->setContentType("application/json");
        response_->setContentLength(static_cast<std::streamsize>(body.size()));
        if (request_->getMethod() == "HEAD") {
            response_->send();
            return;
        }
        response_->sendBuffer(body.data(), body.size());
    }

    Api& api_;
    bool secure_;
};

}  // namespace

Api::Api(Admin& admin, ApiOptions options) : admin_(admin), options_(options) {}

Poco::Net::HTTPRequestHandler* Api::handlerFor(const Poco::Net::HTTPServerRequest& request,
                                               bool secure) {
    const std::string& uri = request.getURI();
    if (uri.compare(0, 7, "/api/v1") != 0 || (uri.size() > 7 && uri[7] != '/' && uri[7] != '?')) {
        return nullptr;
    }
    return new ApiHandler(*this, secure);
}

std::string Api::csrfToken(const std::string& sessionToken) {
    return Sha256::hex("csrf:" + sessionToken);
}

}  // namespace dad
