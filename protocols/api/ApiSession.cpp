// The console's login session and the OpenAPI document.
#include "Api.h"
#include "ApiJson.h"
#include "ApiRoutes.h"
#include "Secrets.h"
#include "Sha256.h"

namespace dad::api_handlers {

namespace {

Poco::JSON::Object::Ptr sessionReply(ApiCall& call, const std::string& token) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("csrf_token", Api::csrfToken(token));
    o->set("account", call.caller.name);
    o->set("admin", call.caller.admin);
    return o;
}

}  // namespace

Status login(ApiCall& call) {
    const std::string name = call.field("name");
    const std::string password = call.field("password");
    if (name.empty() || password.empty()) {
        return Status::invalid("a login needs \"name\" and \"password\" strings");
    }
    ConnectionInfo connection = call.caller.connection;
    connection.perRequest = false;
    // The gateway's one rule for passwords: slow hash, failed-login delay, bans.
    if (Status s = call.admin.gateway().checkPassword(name, password, connection); !s) {
        if (s.code() == StatusCode::Busy) return s;
        // 401: the credentials, not the caller's rights, are wrong.
        call.fail(401, "unauthenticated", "wrong name or password");
        return Status::ok();
    }
    AccountRecord account;
    if (Status s = call.admin.gateway().catalog().findAccount(name, account); !s) return s;
    const Scope scope = account.type == "admin" ? Scope::Admin : Scope::Write;
    if (Status s = call.admin.callerFor(name, scope, connection, call.caller); !s) return s;
    const std::string token = randomToken(32);
    const int64_t seconds = call.api.options().sessionSeconds;
    if (Status s = catalog_api::createSession(call.admin.gateway().catalog(), Sha256::hex(token),
                                              account.id, nowSeconds() + seconds);
        !s) {
        return s;
    }
    call.headers["Set-Cookie"] =
        std::string(Api::kCookie) + "=" + token +
        "; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=" + std::to_string(seconds);
    call.reply = sessionReply(call, token);
    return Status::ok();
}

Status sessionInfo(ApiCall& call) {
    if (call.sessionToken.empty()) return Status::invalid("this request has no session cookie");
    call.reply = sessionReply(call, call.sessionToken);
    return Status::ok();
}

Status logout(ApiCall& call) {
    if (!call.sessionToken.empty()) {
        if (Status s = catalog_api::removeSession(call.admin.gateway().catalog(),
                                                  Sha256::hex(call.sessionToken));
            !s) {
            return s;
        }
    }
    call.headers["Set-Cookie"] =
        std::string(Api::kCookie) + "=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0";
    call.reply = api_json::ok();
    return Status::ok();
}

}  // namespace dad::api_handlers
