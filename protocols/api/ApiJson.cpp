#include "ApiJson.h"

namespace dad::api_json {

namespace {

Poco::Dynamic::Var optional(const std::optional<int64_t>& value) {
    if (!value) return Poco::Dynamic::Var();
    return static_cast<Poco::Int64>(*value);
}

Object::Ptr limit(const QuotaLimit& l) {
    Object::Ptr o = new Object;
    o->set("scope", l.scope);
    o->set("used_bytes", static_cast<Poco::UInt64>(l.usedBytes));
    o->set("limit_bytes",
           l.limitBytes < 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(l.limitBytes));
    o->set("used_files", static_cast<Poco::UInt64>(l.usedFiles));
    o->set("limit_files",
           l.limitFiles < 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(l.limitFiles));
    return o;
}

}  // namespace

Object::Ptr account(const AccountRecord& a) {
    Object::Ptr o = new Object;
    o->set("name", a.name);
    o->set("email", a.email);
    o->set("type", a.type);
    o->set("parent",
           a.parentName.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(a.parentName));
    o->set("disabled", a.disabled);
    o->set("quota_bytes", optional(a.quotaBytes));
    o->set("quota_files", optional(a.quotaFiles));
    o->set("created", static_cast<Poco::Int64>(a.created));
    return o;
}

Object::Ptr quota(const QuotaState& q) {
    Object::Ptr o = new Object;
    o->set("own", limit(q.own));
    if (!q.parent.scope.empty()) o->set("parent", limit(q.parent));
    return o;
}

Object::Ptr accountView(const AccountView& v) {
    Object::Ptr o = account(v.account);
    Object::Ptr q = quota(v.quota);
    q->set("stored_bytes", static_cast<Poco::UInt64>(v.storedBytes));
    q->set("stored_files", static_cast<Poco::UInt64>(v.storedFiles));
    o->set("quota", q);
    o->set("ssh_keys", static_cast<Poco::UInt64>(v.keyCount));
    return o;
}

Object::Ptr package(const PackageRecord& p) {
    Object::Ptr o = new Object;
    o->set("pid", p.pid);
    o->set("name", p.sentName.empty() ? p.name : p.sentName);
    o->set("state", p.state);
    o->set("sender", p.senderName);
    o->set("message", p.message);
    o->set("created", static_cast<Poco::Int64>(p.created));
    o->set("sent_at", optional(p.sentAt));
    o->set("expires_at", optional(p.expiresAt));
    o->set("max_downloads", optional(p.maxDownloads));
    o->set("withdrawn_by",
           p.withdrawnBy.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(p.withdrawnBy));
    return o;
}

Object::Ptr packageDetail(const PackageDetail& d) {
    Object::Ptr o = package(d.package);
    o->set("link", d.link.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(d.link));
    o->set("password", !d.package.passwordHash.empty());
    Array::Ptr recipients = new Array;
    for (const RecipientRecord& r : d.recipients) {
        Object::Ptr x = new Object;
        x->set("address", r.address);
        x->set("kind", r.kind);
        x->set("account", r.accountId.has_value());
        recipients->add(x);
    }
    o->set("recipients", recipients);
    Array::Ptr files = new Array;
    for (const auto& [path, node] : d.files) {
        Object::Ptr x = new Object;
        x->set("path", path);
        x->set("size", static_cast<Poco::UInt64>(node.size));
        x->set("sha256", node.blob);
        files->add(x);
    }
    o->set("files", files);
    Array::Ptr downloads = new Array;
    for (const DownloadRecord& r : d.downloads) {
        Object::Ptr x = new Object;
        x->set("path", r.path);
        x->set("account",
               r.accountName.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(r.accountName));
        x->set("address", r.remoteAddress);
        x->set("protocol", r.protocol);
        x->set("started", static_cast<Poco::Int64>(r.started));
        x->set("finished", optional(r.finished));
        x->set("offset", static_cast<Poco::UInt64>(r.startOffset));
        x->set("bytes", static_cast<Poco::UInt64>(r.bytes));
        x->set("complete", r.complete);
        downloads->add(x);
    }
    o->set("downloads", downloads);
    Array::Ptr forwards = new Array;
    for (const ForwardRecord& f : d.forwards) {
        Object::Ptr x = new Object;
        x->set("site", f.site);
        x->set("state", f.state);
        x->set("bytes_done", static_cast<Poco::UInt64>(f.bytesDone));
        x->set("bytes_total", static_cast<Poco::UInt64>(f.bytesTotal));
        x->set("error", f.error);
        forwards->add(x);
    }
    o->set("forwards", forwards);
    return o;
}

Object::Ptr group(const GroupRecord& g) {
    Object::Ptr o = new Object;
    o->set("name", g.name);
    o->set("owner", g.ownerId ? Poco::Dynamic::Var(g.ownerName) : Poco::Dynamic::Var());
    Array::Ptr members = new Array;
    for (const std::string& m : g.members)
        members->add(m);
    o->set("members", members);
    return o;
}

Object::Ptr contact(const AddressEntry& e) {
    Object::Ptr o = new Object;
    o->set("id", static_cast<Poco::Int64>(e.id));
    o->set("name", e.name);
    o->set("email", e.email);
    return o;
}

Object::Ptr site(const SiteRecord& s) {
    Object::Ptr o = new Object;
    o->set("name", s.name);
    o->set("type", s.type);
    o->set("url", s.url);
    o->set("user", s.user);
    o->set("own_ca", !s.caFile.empty());
    o->set("host_key", s.hostKey);
    o->set("created", static_cast<Poco::Int64>(s.createdAt));
    return o;
}

Object::Ptr job(const JobRecord& j) {
    Object::Ptr o = new Object;
    o->set("id", static_cast<Poco::Int64>(j.id));
    o->set("kind", j.kind);
    o->set("state", j.state);
    o->set("attempts", static_cast<Poco::Int64>(j.attempts));
    o->set("run_after", static_cast<Poco::Int64>(j.runAfter));
    o->set("last_error", j.lastError);
    o->set("payload", j.payload);
    o->set("created", static_cast<Poco::Int64>(j.created));
    return o;
}

Object::Ptr ban(const LoginBan& b) {
    Object::Ptr o = new Object;
    o->set("kind", b.kind);
    o->set("subject", b.subject);
    o->set("until", static_cast<Poco::Int64>(b.until));
    o->set("reason", b.reason);
    o->set("created", static_cast<Poco::Int64>(b.created));
    return o;
}

Object::Ptr audit(const AuditEntry& e) {
    Object::Ptr o = new Object;
    o->set("id", static_cast<Poco::Int64>(e.id));
    o->set("at", static_cast<Poco::Int64>(e.at));
    o->set("account", e.event.account);
    o->set("address", e.event.remoteAddress);
    o->set("protocol", e.event.protocol);
    o->set("action", e.event.action);
    o->set("path", e.event.path);
    o->set("detail", e.event.detail);
    o->set("ok", e.event.ok);
    return o;
}

Object::Ptr token(const ApiTokenRecord& t) {
    Object::Ptr o = new Object;
    o->set("id", static_cast<Poco::Int64>(t.id));
    o->set("name", t.name);
    o->set("account", t.accountName);
    o->set("scope", t.scope);
    o->set("created", static_cast<Poco::Int64>(t.created));
    o->set("expires_at", optional(t.expiresAt));
    o->set("last_used", optional(t.lastUsed));
    return o;
}

Object::Ptr key(const SshKeyRecord& k) {
    Object::Ptr o = new Object;
    o->set("type", k.type);
    o->set("base64", k.base64);
    o->set("comment", k.comment);
    return o;
}

Object::Ptr list(const Array::Ptr& items) {
    Object::Ptr o = new Object;
    o->set("items", items);
    return o;
}

Object::Ptr ok() {
    Object::Ptr o = new Object;
    o->set("ok", true);
    return o;
}

}  // namespace dad::api_json
