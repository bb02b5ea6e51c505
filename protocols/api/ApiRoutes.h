// ApiRoutes: the one route table of the REST API (/api/v1/). The router
// matches requests against it and the OpenAPI document is made from it, so
// the two cannot drift. Handlers only translate: JSON in, an Admin
// operation, JSON out; a Status becomes an HTTP status and
// {"error": {"code": ..., "message": ...}} in ApiHandler.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <map>
#include <string>
#include <vector>

#include "Admin.h"

namespace dad {

class Api;

// One request as a handler sees it, and its reply.
struct ApiCall {
    ApiCall(Api& a, Admin& ad, Poco::Net::HTTPServerRequest& req,
            Poco::Net::HTTPServerResponse& res)
        : api(a), admin(ad), request(req), response(res) {}

    Api& api;
    Admin& admin;
    Caller caller;
    std::map<std::string, std::string> params;  // {name} segments of the path
    std::map<std::string, std::string> query;
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;  // a JSON body (empty when none)
    Poco::Net::HTTPServerRequest& request;
    Poco::Net::HTTPServerResponse& response;
    std::string sessionToken;  // the console's cookie, when it authenticated

    int status = 200;
    Poco::JSON::Object::Ptr reply = new Poco::JSON::Object;  // null: no body
    std::map<std::string, std::string> headers;
    bool bodyRead = false;  // the handler read the request body itself

    // The query parameter or "" ; a JSON string field or "".
    std::string arg(const std::string& name) const;
    std::string field(const std::string& name) const;
    // Answers `status` with the JSON error of a status no Status maps to
    // (401 of a login, 415); the handler then returns Ok.
    void fail(int status, const std::string& code, const std::string& message);
};

using ApiRouteHandler = Status (*)(ApiCall& call);

struct ApiRoute {
    const char* method;
    const char* path;  // "/api/v1/packages/{pid}"
    const char* summary;
    Scope scope;                           // the least scope of a credential that may call it
    bool authenticated;                    // false: the login, the document
    bool jsonBody;                         // the body is JSON (otherwise the handler reads it)
    std::vector<int> statuses;             // every status it answers with
    std::vector<const char*> replyFields;  // keys its success reply always has
    std::vector<const char*> queryParams;  // documented query parameters
    ApiRouteHandler handler;
};

const std::vector<ApiRoute>& apiRoutes();

// The route of `method` and `path`, with the path's parameters; nullptr when
// none. `pathKnown`: some route has that path (405 rather than 404).
const ApiRoute* matchRoute(const std::string& method, const std::string& path,
                           std::map<std::string, std::string>& params, bool& pathKnown);

// The OpenAPI 3 document of the table.
std::string openApiDocument();

// The handlers, by file (ApiPackages.cpp, ApiAccounts.cpp, ApiDirectory.cpp,
// ApiOperations.cpp, ApiUploads.cpp, ApiSession.cpp).
namespace api_handlers {
Status me(ApiCall&);
Status login(ApiCall&);
Status sessionInfo(ApiCall&);
Status logout(ApiCall&);
Status document(ApiCall&);
Status listPackages(ApiCall&);
Status getPackage(ApiCall&);
Status withdrawPackage(ApiCall&);
Status notifyPackage(ApiCall&);
Status forwardPackage(ApiCall&);
Status createDraft(ApiCall&);
Status sendDraft(ApiCall&);
Status listAccounts(ApiCall&);
Status createAccount(ApiCall&);
Status getAccount(ApiCall&);
Status changeAccount(ApiCall&);
Status removeAccount(ApiCall&);
Status listKeys(ApiCall&);
Status addKey(ApiCall&);
Status listGroups(ApiCall&);
Status createGroup(ApiCall&);
Status getGroup(ApiCall&);
Status removeGroup(ApiCall&);
Status changeMembers(ApiCall&);
Status listContacts(ApiCall&);
Status createContact(ApiCall&);
Status getContact(ApiCall&);
Status changeContact(ApiCall&);
Status removeContact(ApiCall&);
Status listSites(ApiCall&);
Status addSite(ApiCall&);
Status removeSite(ApiCall&);
Status listJobs(ApiCall&);
Status retryJob(ApiCall&);
Status cancelJob(ApiCall&);
Status policyErrors(ApiCall&);
Status reloadPolicies(ApiCall&);
Status listBans(ApiCall&);
Status removeBan(ApiCall&);
Status queueFetch(ApiCall&);
Status queryAudit(ApiCall&);
Status listTokens(ApiCall&);
Status createToken(ApiCall&);
Status revokeToken(ApiCall&);
Status createUpload(ApiCall&);
Status uploadOffset(ApiCall&);
Status appendUpload(ApiCall&);
Status removeUpload(ApiCall&);
}  // namespace api_handlers

}  // namespace dad
