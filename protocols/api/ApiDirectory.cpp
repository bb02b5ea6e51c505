// The address book (groups and entries), sites, jobs, policies, bans,
// fetches, the audit trail and API tokens.
#include "ApiJson.h"
#include "ApiRoutes.h"
#include "Manifest.h"

namespace dad::api_handlers {

using Poco::JSON::Array;

namespace {

Status members(const ApiCall& call, const std::string& name, std::vector<std::string>& out) {
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

// A group's owner: "" for the site's (?site=1 or "site": true), else the caller.
std::string groupOwner(const ApiCall& call) {
    const bool site = call.arg("site") == "1" || call.arg("site") == "true" ||
                      (call.body->has("site") && call.body->get("site").isBoolean() &&
                       call.body->get("site").convert<bool>());
    return site ? "" : call.caller.name;
}

Status idParam(ApiCall& call, const std::string& name, int64_t& id) {
    const std::string& text = call.params[name];
    if (text.empty() || text.size() > 18 ||
        text.find_first_not_of("0123456789") != std::string::npos) {
        return Status::notFound("no such " + name);
    }
    id = std::stoll(text);
    return Status::ok();
}

Status showGroupReply(ApiCall& call, const std::string& name, const std::string& owner) {
    GroupRecord group;
    std::vector<std::string> expanded;
    Status expansion;
    if (Status s = call.admin.showGroup(call.caller, name, owner, group, expanded, expansion); !s) {
        return s;
    }
    call.reply = api_json::group(group);
    Array::Ptr list = new Array;
    for (const std::string& a : expanded)
        list->add(a);
    call.reply->set("expanded", list);
    call.reply->set("expansion_error",
                    expansion ? Poco::Dynamic::Var() : Poco::Dynamic::Var(expansion.message()));
    return Status::ok();
}

}  // namespace

Status listGroups(ApiCall& call) {
    Array::Ptr items = new Array;
    for (const std::string& owner : {std::string(), call.caller.name}) {
        if (call.caller.isOperator && !owner.empty()) continue;
        std::vector<GroupRecord> groups;
        if (Status s = call.admin.listGroups(call.caller, owner, groups); !s) return s;
        for (const GroupRecord& g : groups)
            items->add(api_json::group(g));
    }
    call.reply = api_json::list(items);
    return Status::ok();
}

Status createGroup(ApiCall& call) {
    const std::string name = call.field("name");
    std::vector<std::string> list;
    if (Status s = members(call, "members", list); !s) return s;
    const std::string owner = groupOwner(call);
    if (Status s = call.admin.createGroup(call.caller, name, owner, list); !s) return s;
    call.status = 201;
    return showGroupReply(call, name, owner);
}

Status getGroup(ApiCall& call) {
    const std::string& name = call.params["name"];
    const std::string owner = groupOwner(call);
    Status s = showGroupReply(call, name, owner);
    // The caller's own group first, else the site's (as recipients resolve).
    if (s.code() == StatusCode::NotFound && !owner.empty()) s = showGroupReply(call, name, "");
    return s;
}

Status removeGroup(ApiCall& call) {
    if (Status s = call.admin.removeGroup(call.caller, call.params["name"], groupOwner(call)); !s) {
        return s;
    }
    call.reply = api_json::ok();
    return Status::ok();
}

Status changeMembers(ApiCall& call) {
    const std::string& name = call.params["name"];
    const std::string owner = groupOwner(call);
    std::vector<std::string> add, remove;
    if (Status s = members(call, "add", add); !s) return s;
    if (Status s = members(call, "remove", remove); !s) return s;
    if (add.empty() && remove.empty()) return Status::invalid("give \"add\" or \"remove\" members");
    if (!add.empty()) {
        if (Status s = call.admin.changeGroupMembers(call.caller, name, owner, add, true); !s) {
            return s;
        }
    }
    if (!remove.empty()) {
        if (Status s = call.admin.changeGroupMembers(call.caller, name, owner, remove, false); !s) {
            return s;
        }
    }
    return showGroupReply(call, name, owner);
}

Status listContacts(ApiCall& call) {
    std::vector<AddressEntry> entries;
    if (Status s = call.admin.listAddressEntries(call.caller, entries); !s) return s;
    Array::Ptr items = new Array;
    for (const AddressEntry& e : entries)
        items->add(api_json::contact(e));
    call.reply = api_json::list(items);
    return Status::ok();
}

Status createContact(ApiCall& call) {
    AddressEntry entry;
    entry.name = call.field("name");
    entry.email = call.field("email");
    if (Status s = call.admin.createAddressEntry(call.caller, entry); !s) return s;
    call.status = 201;
    call.reply = api_json::contact(entry);
    return Status::ok();
}

Status getContact(ApiCall& call) {
    int64_t id = 0;
    AddressEntry entry;
    if (Status s = idParam(call, "id", id); !s) return s;
    if (Status s = call.admin.findAddressEntry(call.caller, id, entry); !s) return s;
    call.reply = api_json::contact(entry);
    return Status::ok();
}

Status changeContact(ApiCall& call) {
    AddressEntry entry;
    if (Status s = idParam(call, "id", entry.id); !s) return s;
    entry.name = call.field("name");
    entry.email = call.field("email");
    if (Status s = call.admin.updateAddressEntry(call.caller, entry); !s) return s;
    call.reply = api_json::contact(entry);
    return Status::ok();
}

Status removeContact(ApiCall& call) {
    int64_t id = 0;
    if (Status s = idParam(call, "id", id); !s) return s;
    if (Status s = call.admin.removeAddressEntry(call.caller, id); !s) return s;
    call.reply = api_json::ok();
    return Status::ok();
}

Status listSites(ApiCall& call) {
    std::vector<SiteRecord> sites;
    if (Status s = call.admin.listSites(call.caller, sites); !s) return s;
    Array::Ptr items = new Array;
    for (const SiteRecord& site : sites)
        items->add(api_json::site(site));
    call.reply = api_json::list(items);
    return Status::ok();
}

Status addSite(ApiCall& call) {
    SiteRecord site;
    site.name = call.field("name");
    site.type = call.field("type");
    site.url = call.field("url");
    site.user = call.field("user");
    site.hostKey = call.field("host_key");
    if (Status s =
            call.admin.addSite(call.caller, site, call.field("secret"), call.field("ca_pem"));
        !s) {
        return s;
    }
    std::vector<SiteRecord> sites;
    (void)call.admin.listSites(call.caller, sites);
    for (const SiteRecord& s : sites) {
        if (s.name == site.name) call.reply = api_json::site(s);
    }
    call.status = 201;
    return Status::ok();
}

Status removeSite(ApiCall& call) {
    if (Status s = call.admin.removeSite(call.caller, call.params["name"]); !s) return s;
    call.reply = api_json::ok();
    return Status::ok();
}

Status listJobs(ApiCall& call) {
    std::vector<JobRecord> jobs;
    if (Status s = call.admin.listJobs(call.caller, call.arg("state"), jobs); !s) return s;
    Array::Ptr items = new Array;
    for (const JobRecord& j : jobs)
        items->add(api_json::job(j));
    call.reply = api_json::list(items);
    return Status::ok();
}

namespace {

Status jobAction(ApiCall& call, bool retry) {
    int64_t id = 0;
    if (Status s = idParam(call, "id", id); !s) return s;
    if (Status s =
            retry ? call.admin.retryJob(call.caller, id) : call.admin.cancelJob(call.caller, id);
        !s) {
        return s;
    }
    call.reply->set("id", static_cast<Poco::Int64>(id));
    call.reply->set("state", retry ? "queued" : "cancelled");
    return Status::ok();
}

}  // namespace

Status retryJob(ApiCall& call) {
    return jobAction(call, true);
}

Status cancelJob(ApiCall& call) {
    return jobAction(call, false);
}

Status policyErrors(ApiCall& call) {
    std::vector<std::pair<int64_t, AuditEvent>> events;
    if (Status s = call.admin.policyErrors(call.caller, events); !s) return s;
    Array::Ptr items = new Array;
    for (const auto& [at, e] : events) {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("at", static_cast<Poco::Int64>(at));
        o->set("detail", e.detail);
        items->add(o);
    }
    call.reply = api_json::list(items);
    return Status::ok();
}

Status reloadPolicies(ApiCall& call) {
    PolicyReload result;
    if (Status s = call.admin.reloadPolicies(call.caller, result); !s) return s;
    Array::Ptr scripts = new Array;
    for (const std::string& name : result.scripts)
        scripts->add(name);
    call.reply->set("scripts", scripts);
    call.reply->set("message", result.message);
    return Status::ok();
}

Status listBans(ApiCall& call) {
    std::vector<LoginBan> bans;
    if (Status s = call.admin.listBans(call.caller, bans); !s) return s;
    Array::Ptr items = new Array;
    for (const LoginBan& b : bans)
        items->add(api_json::ban(b));
    call.reply = api_json::list(items);
    return Status::ok();
}

Status removeBan(ApiCall& call) {
    if (Status s = call.admin.removeBan(call.caller, call.params["kind"], call.params["subject"]);
        !s) {
        return s;
    }
    call.reply = api_json::ok();
    return Status::ok();
}

Status queueFetch(ApiCall& call) {
    int64_t at = 0;
    const std::string when = call.field("at");
    if (!when.empty() && !ManifestParser::parseDateTime(when, at)) {
        return Status::invalid("\"at\" must be 2026-12-01 or 2026-12-01T10:00:00Z (UTC)");
    }
    int64_t id = 0;
    if (Status s = call.admin.queueFetch(call.caller, call.field("user"), call.field("url"),
                                         call.field("into"), call.field("host_key"), at, id);
        !s) {
        return s;
    }
    call.status = 201;
    call.reply->set("job", static_cast<Poco::Int64>(id));
    return Status::ok();
}

Status queryAudit(ApiCall& call) {
    AuditQuery query;
    query.account = call.arg("account");
    query.action = call.arg("action");
    query.protocol = call.arg("protocol");
    query.remoteAddress = call.arg("address");
    const std::string ok = call.arg("ok");
    if (ok == "true" || ok == "1")
        query.ok = true;
    else if (ok == "false" || ok == "0")
        query.ok = false;
    else if (!ok.empty())
        return Status::invalid("ok is true or false");
    const auto number = [&call](const char* name, std::optional<int64_t>& out) {
        const std::string text = call.arg(name);
        if (text.empty()) return true;
        if (text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
            return false;
        out = std::stoll(text);
        return true;
    };
    std::optional<int64_t> limit;
    if (!number("from", query.from) || !number("to", query.to) ||
        !number("cursor", query.beforeId) || !number("limit", limit)) {
        return Status::invalid("from, to, cursor and limit are numbers");
    }
    if (limit) query.limit = static_cast<size_t>(*limit);
    std::vector<AuditEntry> entries;
    if (Status s = call.admin.queryAudit(call.caller, query, entries); !s) return s;
    Array::Ptr items = new Array;
    for (const AuditEntry& e : entries)
        items->add(api_json::audit(e));
    call.reply = api_json::list(items);
    call.reply->set("next_cursor", entries.size() == query.limit
                                       ? Poco::Dynamic::Var(std::to_string(entries.back().id))
                                       : Poco::Dynamic::Var());
    return Status::ok();
}

Status listTokens(ApiCall& call) {
    std::vector<ApiTokenRecord> tokens;
    if (Status s = call.admin.listTokens(call.caller, call.arg("user"), tokens); !s) return s;
    Array::Ptr items = new Array;
    for (const ApiTokenRecord& t : tokens)
        items->add(api_json::token(t));
    call.reply = api_json::list(items);
    return Status::ok();
}

Status createToken(ApiCall& call) {
    Scope scope = Scope::Read;
    const std::string scopeText = call.field("scope").empty() ? "read" : call.field("scope");
    if (!parseScope(scopeText, scope)) return Status::invalid("scope is read, write or admin");
    std::optional<int64_t> lifetime;
    if (call.body->has("expires_in")) {
        const Poco::Dynamic::Var v = call.body->get("expires_in");
        if (!v.isInteger()) return Status::invalid("\"expires_in\" is a number of seconds");
        lifetime = v.convert<Poco::Int64>();
    }
    ApiTokenRecord record;
    std::string token;
    if (Status s = call.admin.createToken(call.caller, call.field("user"), call.field("name"),
                                          scope, lifetime, record, token);
        !s) {
        return s;
    }
    call.status = 201;
    call.reply = api_json::token(record);
    call.reply->set("token", token);
    return Status::ok();
}

Status revokeToken(ApiCall& call) {
    int64_t id = 0;
    if (Status s = idParam(call, "id", id); !s) return s;
    ApiTokenRecord revoked;
    if (Status s = call.admin.revokeToken(call.caller, "", std::to_string(id), revoked); !s) {
        return s;
    }
    call.reply = api_json::ok();
    return Status::ok();
}

}  // namespace dad::api_handlers
