// The caller, packages, drafts, accounts and keys.
#include <Poco/JSON/Parser.h>

#include "ApiJson.h"
#include "ApiRoutes.h"
#include "Manifest.h"
#include "Session.h"

namespace dad::api_handlers {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

// A time in a query: seconds since the epoch, or 2026-12-01[T10:00:00Z].
Status timeArg(const ApiCall& call, const std::string& name, std::optional<int64_t>& out) {
    const std::string text = call.arg(name);
    if (text.empty()) return Status::ok();
    int64_t seconds = 0;
    if (text.find_first_not_of("0123456789") == std::string::npos && text.size() < 19) {
        out = std::stoll(text);
        return Status::ok();
    }
    if (!ManifestParser::parseDateTime(text, seconds)) {
        return Status::invalid(name + " must be seconds since the epoch or 2026-12-01[T10:00:00Z]");
    }
    out = seconds;
    return Status::ok();
}

Status countArg(const ApiCall& call, const std::string& name, size_t fallback, size_t& out) {
    const std::string text = call.arg(name);
    out = fallback;
    if (text.empty()) return Status::ok();
    if (text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) {
        return Status::invalid(name + " must be a number");
    }
    out = static_cast<size_t>(std::stoul(text));
    return Status::ok();
}

// A JSON field that is a number (or absent); `present` says which.
Status integerField(const ApiCall& call, const std::string& name, std::optional<int64_t>& out,
                    bool& present) {
    present = call.body->has(name);
    out.reset();
    if (!present) return Status::ok();
    const Poco::Dynamic::Var v = call.body->get(name);
    if (v.isEmpty()) return Status::ok();
    if (!v.isInteger()) return Status::invalid("\"" + name + "\" must be an integer or null");
    out = v.convert<Poco::Int64>();
    return Status::ok();
}

Status stringList(const ApiCall& call, const std::string& name, std::vector<std::string>& out) {
    out.clear();
    if (!call.body->has(name)) return Status::ok();
    Array::Ptr array = call.body->getArray(name);
    if (!array) return Status::invalid("\"" + name + "\" must be an array of strings");
    for (size_t i = 0; i < array->size(); ++i) {
        const Poco::Dynamic::Var v = array->get(static_cast<unsigned>(i));
        if (!v.isString()) return Status::invalid("\"" + name + "\" must be an array of strings");
        out.push_back(v.extract<std::string>());
    }
    return Status::ok();
}

Status openSession(ApiCall& call, std::unique_ptr<Session>& session) {
    if (call.caller.isOperator) return Status::invalid("the operator has no files");
    return call.admin.gateway().openSession(call.caller.name, call.caller.connection, session);
}

// The draft `pid` of the caller: its /outbox folder name.
Status ownDraft(ApiCall& call, const std::string& pid, PackageRecord& draft) {
    if (Status s = call.admin.findPackage(call.caller, pid, draft); !s) return s;
    if (draft.senderId != call.caller.accountId) return Status::notFound("no draft " + pid);
    if (draft.state != "draft")
        return Status::invalid(pid + " is " + draft.state + ", not a draft");
    return Status::ok();
}

}  // namespace

Status document(ApiCall& call) {
    static const Object::Ptr doc =
        Poco::JSON::Parser().parse(openApiDocument()).extract<Object::Ptr>();
    call.reply = doc;
    return Status::ok();
}

Status me(ApiCall& call) {
    AccountView view;
    if (Status s = call.admin.showAccount(call.caller, call.caller.name, view); !s) return s;
    call.reply = api_json::accountView(view);
    call.reply->set("scope", scopeName(call.caller.scope));
    return Status::ok();
}

Status listPackages(ApiCall& call) {
    PackageQuery query;
    query.box = call.arg("box");
    query.state = call.arg("state");
    query.sender = call.arg("sender");
    query.recipient = call.arg("recipient");
    query.search = call.arg("q");
    if (!call.arg("sort").empty()) query.sort = call.arg("sort");
    const std::string order = call.arg("order");
    if (!order.empty() && order != "asc" && order != "desc") {
        return Status::invalid("order is asc or desc");
    }
    query.descending = order != "asc";
    if (Status s = timeArg(call, "from", query.from); !s) return s;
    if (Status s = timeArg(call, "to", query.to); !s) return s;
    if (Status s = countArg(call, "limit", 50, query.limit); !s) return s;
    PackagePage page;
    if (Status s = call.admin.listPackages(call.caller, query, call.arg("cursor"), page); !s) {
        return s;
    }
    Array::Ptr items = new Array;
    for (const PackageRecord& p : page.packages)
        items->add(api_json::package(p));
    call.reply = api_json::list(items);
    call.reply->set("next_cursor", page.nextCursor.empty() ? Poco::Dynamic::Var()
                                                           : Poco::Dynamic::Var(page.nextCursor));
    call.headers["X-Catalog-Queries"] = std::to_string(page.catalogReads);
    return Status::ok();
}

Status getPackage(ApiCall& call) {
    PackageDetail detail;
    if (Status s = call.admin.packageDetail(call.caller, call.params["pid"], detail); !s) return s;
    call.reply = api_json::packageDetail(detail);
    return Status::ok();
}

Status withdrawPackage(ApiCall& call) {
    const std::string& pid = call.params["pid"];
    if (Status s = call.admin.withdrawPackage(call.caller, pid); !s) return s;
    call.reply->set("pid", pid);
    call.reply->set("state", "withdrawn");
    return Status::ok();
}

Status notifyPackage(ApiCall& call) {
    const std::string& pid = call.params["pid"];
    size_t queued = 0;
    if (Status s = call.admin.resendNotification(call.caller, pid, queued); !s) return s;
    call.reply->set("pid", pid);
    call.reply->set("queued", static_cast<Poco::UInt64>(queued));
    return Status::ok();
}

Status forwardPackage(ApiCall& call) {
    const std::string& pid = call.params["pid"];
    const std::string site = call.field("site");
    if (site.empty()) return Status::invalid("a forward needs \"site\"");
    bool queued = false;
    if (Status s = call.admin.forwardPackage(call.caller, pid, site, queued); !s) return s;
    call.reply->set("pid", pid);
    call.reply->set("site", site);
    call.reply->set("queued", queued);
    return Status::ok();
}

// A draft, made as any client makes one (a folder in /outbox), with its
// manifest written from the fields given.
Status createDraft(ApiCall& call) {
    if (Status s = Admin::requireWrite(call.caller); !s) return s;
    const std::string name = call.field("name");
    if (name.empty()) return Status::invalid("a draft needs \"name\"");
    std::vector<std::string> to, cc;
    if (Status s = stringList(call, "to", to); !s) return s;
    if (Status s = stringList(call, "cc", cc); !s) return s;
    std::string manifest;
    const auto line = [&manifest](const std::string& key, const std::string& value) {
        if (value.find_first_of("\r\n") != std::string::npos) return false;
        if (!value.empty()) manifest += key + " = " + value + "\n";
        return true;
    };
    std::string list;
    for (const std::string& a : to)
        list += (list.empty() ? "" : ",") + a;
    bool clean = line("to", list);
    list.clear();
    for (const std::string& a : cc)
        list += (list.empty() ? "" : ",") + a;
    clean = line("cc", list) && clean;
    for (const char* key : {"expires", "password", "notify", "forward_to"})
        clean = line(key, call.field(key)) && clean;
    std::optional<int64_t> maxDownloads;
    bool present = false;
    if (Status s = integerField(call, "max_downloads", maxDownloads, present); !s) return s;
    if (maxDownloads) manifest += "max_downloads = " + std::to_string(*maxDownloads) + "\n";
    std::string message = call.field("message");
    for (size_t start = 0; start < message.size();) {
        size_t end = message.find('\n', start);
        if (end == std::string::npos) end = message.size();
        std::string part = message.substr(start, end - start);
        if (!part.empty() && part.back() == '\r') part.pop_back();
        manifest += "message = " + part + "\n";
        start = end + 1;
    }
    if (!clean) return Status::invalid("a manifest field holds a line break");
    std::unique_ptr<Session> session;
    if (Status s = openSession(call, session); !s) return s;
    const std::string folder = "/outbox/" + name;
    if (Status s = session->makeDirectory(folder); !s) return s;
    if (!manifest.empty()) {
        std::unique_ptr<WriteStream> out;
        WriteOptions options;
        options.truncate = true;
        Status s = session->openWrite(folder + "/.dad", options, out);
        if (s) s = out->write(0, manifest.data(), manifest.size());
        if (s) s = out->close();
        if (!s) {
            (void)session->removeDirectory(folder);
            return s;
        }
    }
    std::optional<PackageRecord> draft;
    if (Status s = call.admin.gateway().catalog().findDraft(call.caller.accountId, name, draft);
        !s || !draft) {
        return s ? Status::failure("the draft vanished") : s;
    }
    call.status = 201;
    call.reply->set("pid", draft->pid);
    call.reply->set("name", draft->name);
    call.reply->set("link", call.admin.gateway().packageLink(draft->token));
    call.headers["Location"] = "/api/v1/packages/" + draft->pid;
    return Status::ok();
}

Status sendDraft(ApiCall& call) {
    if (Status s = Admin::requireWrite(call.caller); !s) return s;
    PackageRecord draft;
    if (Status s = ownDraft(call, call.params["pid"], draft); !s) return s;
    std::unique_ptr<Session> session;
    if (Status s = openSession(call, session); !s) return s;
    if (Status s = session->rename("/outbox/" + draft.name, "/sent/" + draft.name, false); !s) {
        return s;
    }
    call.reply->set("pid", draft.pid);
    call.reply->set("state", "sent");
    return Status::ok();
}

Status listAccounts(ApiCall& call) {
    std::vector<AccountRecord> accounts;
    if (Status s = call.admin.listAccounts(call.caller, accounts); !s) return s;
    Array::Ptr items = new Array;
    for (const AccountRecord& a : accounts)
        items->add(api_json::account(a));
    call.reply = api_json::list(items);
    return Status::ok();
}

Status getAccount(ApiCall& call) {
    AccountView view;
    if (Status s = call.admin.showAccount(call.caller, call.params["name"], view); !s) return s;
    call.reply = api_json::accountView(view);
    return Status::ok();
}

Status createAccount(ApiCall& call) {
    NewAccount request;
    request.name = call.field("name");
    request.email = call.field("email");
    request.password = call.field("password");
    request.parent = call.field("parent");
    if (!call.field("type").empty()) request.type = call.field("type");
    bool present = false;
    if (Status s = integerField(call, "quota_bytes", request.quotaBytes, present); !s) return s;
    if (Status s = integerField(call, "quota_files", request.quotaFiles, present); !s) return s;
    AccountRecord account;
    if (Status s = call.admin.createAccount(call.caller, request, account); !s) return s;
    AccountView view;
    if (Status s = call.admin.showAccount(call.caller, account.name, view); !s) return s;
    call.status = 201;
    call.reply = api_json::accountView(view);
    call.headers["Location"] = "/api/v1/accounts/" + account.name;
    return Status::ok();
}

// Each field present is a change; the admin layer says who may make it.
Status changeAccount(ApiCall& call) {
    const std::string& name = call.params["name"];
    AccountView view;
    if (Status s = call.admin.showAccount(call.caller, name, view); !s) return s;
    if (call.body->has("email")) {
        if (Status s = call.admin.setEmail(call.caller, name, call.field("email")); !s) return s;
    }
    if (call.body->has("disabled")) {
        const Poco::Dynamic::Var v = call.body->get("disabled");
        if (!v.isBoolean()) return Status::invalid("\"disabled\" must be true or false");
        if (Status s = call.admin.setDisabled(call.caller, name, v.convert<bool>()); !s) return s;
    }
    std::optional<int64_t> bytes = view.account.quotaBytes, files = view.account.quotaFiles;
    bool setBytes = false, setFiles = false;
    std::optional<int64_t> value;
    if (Status s = integerField(call, "quota_bytes", value, setBytes); !s) return s;
    if (setBytes) bytes = value;
    if (Status s = integerField(call, "quota_files", value, setFiles); !s) return s;
    if (setFiles) files = value;
    if (setBytes || setFiles) {
        if (Status s = call.admin.setQuota(call.caller, name, bytes, files); !s) return s;
    }
    if (call.body->has("password")) {
        if (Status s = call.admin.setPassword(call.caller, name, call.field("password")); !s) {
            return s;
        }
    }
    if (Status s = call.admin.showAccount(call.caller, name, view); !s) return s;
    call.reply = api_json::accountView(view);
    return Status::ok();
}

Status removeAccount(ApiCall& call) {
    if (Status s = call.admin.removeAccount(call.caller, call.params["name"]); !s) return s;
    call.reply = api_json::ok();
    return Status::ok();
}

Status listKeys(ApiCall& call) {
    std::vector<SshKeyRecord> keys;
    if (Status s = call.admin.listKeys(call.caller, call.params["name"], keys); !s) return s;
    Array::Ptr items = new Array;
    for (const SshKeyRecord& k : keys)
        items->add(api_json::key(k));
    call.reply = api_json::list(items);
    return Status::ok();
}

Status addKey(ApiCall& call) {
    SshKeyRecord key;
    if (Status s = call.admin.addKey(call.caller, call.params["name"], call.field("key"), key);
        !s) {
        if (s.code() == StatusCode::InvalidArgument)
            return Status::invalid("\"key\" " + s.message());
        return s;
    }
    call.status = 201;
    call.reply = api_json::key(key);
    return Status::ok();
}

}  // namespace dad::api_handlers
