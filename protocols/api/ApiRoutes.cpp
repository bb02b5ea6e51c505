#include "ApiRoutes.h"

#include <Poco/JSON/Array.h>

#include <sstream>

namespace dad {

using namespace api_handlers;

namespace {

// Statuses every authenticated route may also answer with.
const std::vector<int> kRead = {200, 400, 401, 404};
const std::vector<int> kChange = {200, 400, 401, 403, 404, 409};
const std::vector<int> kCreate = {201, 400, 401, 403, 404, 409};

std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> parts;
    size_t start = 1;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

}  // namespace

const std::vector<ApiRoute>& apiRoutes() {
    static const std::vector<ApiRoute> routes = {
        // clang-format off
        {"GET", "/api/v1/openapi.json", "This document", Scope::Read, false, false, {200}, {"openapi", "paths"}, {}, document},
        {"POST", "/api/v1/session", "Log in (the console): a session cookie and its CSRF token", Scope::Read, false, true, {200, 400, 401, 403, 429}, {"csrf_token", "account"}, {}, login},
        {"GET", "/api/v1/session", "The console session and its CSRF token", Scope::Read, true, false, {200, 400, 401}, {"csrf_token", "account"}, {}, sessionInfo},
        {"DELETE", "/api/v1/session", "Log out", Scope::Read, true, false, {200, 401, 403}, {"ok"}, {}, logout},
        {"GET", "/api/v1/me", "The caller: account, scope, quota use", Scope::Read, true, false, {200, 401}, {"name", "type", "scope", "quota"}, {}, me},
        {"GET", "/api/v1/packages", "Packages the caller may see", Scope::Read, true, false, kRead, {"items", "next_cursor"}, {"box", "state", "sender", "recipient", "from", "to", "q", "sort", "order", "limit", "cursor"}, listPackages},
        {"GET", "/api/v1/packages/{pid}", "A package with every download", Scope::Read, true, false, kRead, {"pid", "state", "files", "downloads", "recipients"}, {}, getPackage},
        {"POST", "/api/v1/packages/{pid}/withdraw", "Withdraw a sent package", Scope::Write, true, true, kChange, {"pid", "state"}, {}, withdrawPackage},
        {"POST", "/api/v1/packages/{pid}/notify", "Notify every recipient again", Scope::Write, true, true, kChange, {"pid", "queued"}, {}, notifyPackage},
        {"POST", "/api/v1/packages/{pid}/forward", "Forward a sent package to a site", Scope::Write, true, true, kChange, {"pid", "site", "queued"}, {}, forwardPackage},
        {"POST", "/api/v1/drafts", "Start a draft package (link shown at once)", Scope::Write, true, true, kCreate, {"pid", "name", "link"}, {}, createDraft},
        {"POST", "/api/v1/drafts/{pid}/send", "Send a draft", Scope::Write, true, true, kChange, {"pid", "state"}, {}, sendDraft},
        {"GET", "/api/v1/accounts", "Accounts (an admin: all; a user: itself)", Scope::Read, true, false, kRead, {"items"}, {}, listAccounts},
        {"POST", "/api/v1/accounts", "Create an account", Scope::Admin, true, true, kCreate, {"name", "type"}, {}, createAccount},
        {"GET", "/api/v1/accounts/{name}", "An account with its quota use", Scope::Read, true, false, kRead, {"name", "type", "quota"}, {}, getAccount},
        {"PATCH", "/api/v1/accounts/{name}", "Change e-mail, state, quota or password", Scope::Write, true, true, kChange, {"name", "type", "quota"}, {}, changeAccount},
        {"DELETE", "/api/v1/accounts/{name}", "Remove an account", Scope::Admin, true, false, kChange, {"ok"}, {}, removeAccount},
        {"GET", "/api/v1/accounts/{name}/keys", "An account's SSH keys", Scope::Read, true, false, kRead, {"items"}, {}, listKeys},
        {"POST", "/api/v1/accounts/{name}/keys", "Add an SSH public key", Scope::Write, true, true, kCreate, {"type", "base64"}, {}, addKey},
        {"GET", "/api/v1/groups", "Address-book groups: the site's and the caller's", Scope::Read, true, false, kRead, {"items"}, {}, listGroups},
        {"POST", "/api/v1/groups", "Create a group (personal, or the site's for an admin)", Scope::Write, true, true, kCreate, {"name", "members"}, {}, createGroup},
        {"GET", "/api/v1/groups/{name}", "A group, its members and their expansion", Scope::Read, true, false, kRead, {"name", "members", "expanded"}, {"site"}, getGroup},
        {"DELETE", "/api/v1/groups/{name}", "Remove a group", Scope::Write, true, false, kChange, {"ok"}, {"site"}, removeGroup},
        {"POST", "/api/v1/groups/{name}/members", "Add or remove members", Scope::Write, true, true, kChange, {"name", "members"}, {"site"}, changeMembers},
        {"GET", "/api/v1/contacts", "The caller's address-book entries", Scope::Read, true, false, kRead, {"items"}, {}, listContacts},
        {"POST", "/api/v1/contacts", "Add an address-book entry", Scope::Write, true, true, kCreate, {"id", "name", "email"}, {}, createContact},
        {"GET", "/api/v1/contacts/{id}", "An address-book entry", Scope::Read, true, false, kRead, {"id", "name", "email"}, {}, getContact},
        {"PUT", "/api/v1/contacts/{id}", "Change an address-book entry", Scope::Write, true, true, kChange, {"id", "name", "email"}, {}, changeContact},
        {"DELETE", "/api/v1/contacts/{id}", "Remove an address-book entry", Scope::Write, true, false, kChange, {"ok"}, {}, removeContact},
        {"GET", "/api/v1/sites", "Sites packages can be forwarded to", Scope::Read, true, false, kRead, {"items"}, {}, listSites},
        {"POST", "/api/v1/sites", "Add a site (its secret in \"secret\")", Scope::Admin, true, true, kCreate, {"name", "type", "url"}, {}, addSite},
        {"DELETE", "/api/v1/sites/{name}", "Remove a site", Scope::Admin, true, false, kChange, {"ok"}, {}, removeSite},
        {"GET", "/api/v1/jobs", "The durable job queue", Scope::Admin, true, false, {200, 400, 401, 403}, {"items"}, {"state"}, listJobs},
        {"POST", "/api/v1/jobs/{id}/retry", "Retry a dead or cancelled job", Scope::Admin, true, true, kChange, {"id", "state"}, {}, retryJob},
        {"POST", "/api/v1/jobs/{id}/cancel", "Cancel a queued or dead job", Scope::Admin, true, true, kChange, {"id", "state"}, {}, cancelJob},
        {"GET", "/api/v1/policy/errors", "The latest policy script failures", Scope::Admin, true, false, {200, 401, 403}, {"items"}, {}, policyErrors},
        {"POST", "/api/v1/policy/reload", "Check and load the policy scripts", Scope::Admin, true, true, {200, 400, 401, 403, 500}, {"scripts"}, {}, reloadPolicies},
        {"GET", "/api/v1/bans", "Login bans in force", Scope::Admin, true, false, {200, 401, 403}, {"items"}, {}, listBans},
        {"DELETE", "/api/v1/bans/{kind}/{subject}", "Lift a login ban", Scope::Admin, true, false, kChange, {"ok"}, {}, removeBan},
        {"POST", "/api/v1/fetches", "Queue a fetch of a URL into the caller's files", Scope::Write, true, true, kCreate, {"job"}, {}, queueFetch},
        {"GET", "/api/v1/audit", "The audit trail, newest first (a user: its own)", Scope::Read, true, false, kRead, {"items", "next_cursor"}, {"account", "action", "protocol", "address", "ok", "from", "to", "cursor", "limit"}, queryAudit},
        {"GET", "/api/v1/tokens", "API tokens (never the tokens themselves)", Scope::Read, true, false, kRead, {"items"}, {"user"}, listTokens},
        {"POST", "/api/v1/tokens", "Create an API token, shown once", Scope::Write, true, true, kCreate, {"id", "token", "scope"}, {}, createToken},
        {"DELETE", "/api/v1/tokens/{id}", "Revoke an API token", Scope::Write, true, false, kChange, {"ok"}, {}, revokeToken},
        {"POST", "/api/v1/uploads", "tus 1.0 creation: a file of a draft (Upload-Length, Upload-Metadata)", Scope::Write, true, false, {201, 400, 401, 403, 404, 409, 413, 507}, {"id", "offset", "length"}, {}, createUpload},
        {"HEAD", "/api/v1/uploads/{id}", "tus 1.0: the bytes the server holds (Upload-Offset)", Scope::Read, true, false, {200, 401, 404}, {}, {}, uploadOffset},
        {"PATCH", "/api/v1/uploads/{id}", "tus 1.0: append at Upload-Offset", Scope::Write, true, false, {204, 400, 401, 403, 404, 409, 415, 507}, {}, {}, appendUpload},
        {"DELETE", "/api/v1/uploads/{id}", "tus 1.0 termination: drop the upload", Scope::Write, true, false, {204, 401, 403, 404}, {}, {}, removeUpload},
        // clang-format on
    };
    return routes;
}

const ApiRoute* matchRoute(const std::string& method, const std::string& path,
                           std::map<std::string, std::string>& params, bool& pathKnown) {
    pathKnown = false;
    const std::vector<std::string> parts = split(path);
    for (const ApiRoute& route : apiRoutes()) {
        const std::vector<std::string> pattern = split(route.path);
        if (pattern.size() != parts.size()) continue;
        std::map<std::string, std::string> found;
        bool match = true;
        for (size_t i = 0; i < parts.size() && match; ++i) {
            const std::string& p = pattern[i];
            if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
                match = !parts[i].empty();
                found[p.substr(1, p.size() - 2)] = parts[i];
            } else {
                match = p == parts[i];
            }
        }
        if (!match) continue;
        pathKnown = true;
        if (method != route.method) continue;
        params = found;
        return &route;
    }
    return nullptr;
}

std::string openApiDocument() {
    using Poco::JSON::Array;
    using Poco::JSON::Object;
    Object::Ptr doc = new Object;
    doc->set("openapi", "3.0.3");
    Object::Ptr info = new Object;
    info->set("title", "dadgate admin API");
    info->set("version", "1");
    doc->set("info", info);
    Object::Ptr schemes = new Object;
    Object::Ptr bearer = new Object;
    bearer->set("type", "http");
    bearer->set("scheme", "bearer");
    schemes->set("token", bearer);
    Object::Ptr cookie = new Object;
    cookie->set("type", "apiKey");
    cookie->set("in", "cookie");
    cookie->set("name", "dad_session");
    schemes->set("session", cookie);
    Object::Ptr components = new Object;
    components->set("securitySchemes", schemes);
    Object::Ptr error = new Object;
    error->set("type", "object");
    Array::Ptr errorRequired = new Array;
    errorRequired->add("error");
    error->set("required", errorRequired);
    Object::Ptr schemas = new Object;
    schemas->set("Error", error);
    components->set("schemas", schemas);
    doc->set("components", components);
    Object::Ptr paths = new Object;
    for (const ApiRoute& route : apiRoutes()) {
        Object::Ptr item =
            paths->has(route.path) ? paths->getObject(route.path) : Object::Ptr(new Object);
        Object::Ptr op = new Object;
        op->set("summary", route.summary);
        op->set("x-scope", scopeName(route.scope));
        Array::Ptr parameters = new Array;
        for (const std::string& part : split(route.path)) {
            if (part.size() < 3 || part.front() != '{') continue;
            Object::Ptr p = new Object;
            p->set("name", part.substr(1, part.size() - 2));
            p->set("in", "path");
            p->set("required", true);
            Object::Ptr schema = new Object;
            schema->set("type", "string");
            p->set("schema", schema);
            parameters->add(p);
        }
        for (const char* name : route.queryParams) {
            Object::Ptr p = new Object;
            p->set("name", name);
            p->set("in", "query");
            Object::Ptr schema = new Object;
            schema->set("type", "string");
            p->set("schema", schema);
            parameters->add(p);
        }
        if (parameters->size() > 0) op->set("parameters", parameters);
        if (!route.authenticated) op->set("security", Array::Ptr(new Array));
        Object::Ptr responses = new Object;
        for (int status : route.statuses) {
            Object::Ptr response = new Object;
            response->set("description", status < 400 ? "success" : "error");
            const bool success = status < 400;
            if (status != 204 && std::string(route.method) != "HEAD") {
                Object::Ptr schema = new Object;
                if (success) {
                    schema->set("type", "object");
                    Array::Ptr required = new Array;
                    for (const char* field : route.replyFields)
                        required->add(field);
                    if (required->size() > 0) schema->set("required", required);
                } else {
                    schema->set("$ref", "#/components/schemas/Error");
                }
                Object::Ptr media = new Object;
                media->set("schema", schema);
                Object::Ptr content = new Object;
                content->set("application/json", media);
                response->set("content", content);
            }
            responses->set(std::to_string(status), response);
        }
        op->set("responses", responses);
        std::string method = route.method;
        for (char& c : method)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        item->set(method, op);
        paths->set(route.path, item);
    }
    doc->set("paths", paths);
    std::ostringstream out;
    doc->stringify(out);
    return out.str();
}

std::string ApiCall::arg(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? "" : it->second;
}

std::string ApiCall::field(const std::string& name) const {
    if (!body || !body->has(name)) return "";
    const Poco::Dynamic::Var value = body->get(name);
    return value.isString() ? value.extract<std::string>() : "";
}

void ApiCall::fail(int code, const std::string& errorCode, const std::string& message) {
    Poco::JSON::Object::Ptr error = new Poco::JSON::Object;
    error->set("code", errorCode);
    error->set("message", message);
    reply = new Poco::JSON::Object;
    reply->set("error", error);
    status = code;
}

}  // namespace dad
