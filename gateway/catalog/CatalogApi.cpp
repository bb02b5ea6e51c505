#include "CatalogApi.h"

#include "CatalogRows.h"

namespace dad::catalog_api {

using catalog_rows::nullable;

namespace {

const char* const kTokenColumns =
    "t.id, t.account_id, a.name, t.name, t.scope, t.token_hash, t.created, t.expires_at, "
    "t.last_used";

ApiTokenRecord token(const SqlRow& row) {
    ApiTokenRecord t;
    t.id = row.integer(0);
    t.accountId = row.integer(1);
    t.accountName = row.text(2);
    t.name = row.text(3);
    t.scope = row.text(4);
    t.tokenHash = row.text(5);
    t.created = row.integer(6);
    t.expiresAt = row.optionalInteger(7);
    t.lastUsed = row.optionalInteger(8);
    return t;
}

std::string tokenSelect() {
    return std::string("SELECT ") + kTokenColumns +
           " FROM api_token t JOIN account a ON a.id = t.account_id ";
}

// "?, ?, ?" for n values.
std::string placeholders(size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i)
        out += i ? ", ?" : "?";
    return out;
}

void appendIds(std::vector<SqlValue>& params, const std::vector<int64_t>& ids) {
    for (int64_t id : ids)
        params.emplace_back(id);
}

// LIKE text with % and _ taken literally (ESCAPE '\').
std::string likeContaining(const std::string& text) {
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

struct SortColumn {
    const char* expression;
    bool integer;
};

SortColumn sortColumn(const std::string& sort) {
    if (sort == "name") return {"COALESCE(k.sent_name, k.name)", false};
    if (sort == "state") return {"k.state", false};
    if (sort == "sent") return {"COALESCE(k.sent_at, 0)", true};
    return {"k.created", true};
}

}  // namespace

Status setEmail(Catalog& catalog, int64_t accountId, const std::string& email) {
    return catalog.db().transaction([&](SqlRunner& sql) {
        sql.execute("UPDATE account SET email = ? WHERE id = ?", {email, accountId});
        return Status::ok();
    });
}

Status createToken(Catalog& catalog, ApiTokenRecord& t) {
    return catalog.db().transaction([&](SqlRunner& sql) {
        if (sql.queryOne("SELECT id FROM api_token WHERE account_id = ? AND name = ?",
                         {t.accountId, t.name})) {
            return Status::exists("a token named " + t.name + " exists for this account");
        }
        t.created = nowSeconds();
        auto row = sql.queryOne(
            "INSERT INTO api_token (account_id, name, scope, token_hash, created, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            {t.accountId, t.name, t.scope, t.tokenHash, t.created, nullable(t.expiresAt)});
        t.id = row->integer(0);
        return Status::ok();
    });
}

Status findTokenByHash(Catalog& catalog, const std::string& tokenHash, ApiTokenRecord& t) {
    Status s = catalog.db().read([&](SqlRunner& sql) {
        auto row = sql.queryOne(tokenSelect() + "WHERE t.token_hash = ?", {tokenHash});
        if (!row) return Status::notFound("no such token");
        t = token(*row);
        return Status::ok();
    });
    if (!s) return s;
    const int64_t now = nowSeconds();
    // Bookkeeping only: once a minute at most, never failing the request.
    if (!t.lastUsed || *t.lastUsed + 60 <= now) {
        (void)catalog.db().transaction(
            [&](SqlRunner& sql) {
                sql.execute("UPDATE api_token SET last_used = ? WHERE id = ?", {now, t.id});
                return Status::ok();
            },
            Db::Durability::Relaxed);
    }
    return Status::ok();
}

Status listTokens(Catalog& catalog, std::optional<int64_t> accountId,
                  std::vector<ApiTokenRecord>& tokens) {
    return catalog.db().read([&](SqlRunner& sql) {
        tokens.clear();
        SqlRows rows = accountId ? sql.query(tokenSelect() + "WHERE t.account_id = ? ORDER BY t.id",
                                             {*accountId})
                                 : sql.query(tokenSelect() + "ORDER BY t.id");
        for (const SqlRow& row : rows) {
            tokens.push_back(token(row));
            tokens.back().tokenHash.clear();
        }
        return Status::ok();
    });
}

Status findToken(Catalog& catalog, int64_t id, ApiTokenRecord& t) {
    return catalog.db().read([&](SqlRunner& sql) {
        auto row = sql.queryOne(tokenSelect() + "WHERE t.id = ?", {id});
        if (!row) return Status::notFound("no token #" + std::to_string(id));
        t = token(*row);
        t.tokenHash.clear();
        return Status::ok();
    });
}

Status removeToken(Catalog& catalog, int64_t id) {
    return catalog.db().transaction([&](SqlRunner& sql) {
        if (sql.execute("DELETE FROM api_token WHERE id = ?", {id}) == 0) {
            return Status::notFound("no token #" + std::to_string(id));
        }
        return Status::ok();
    });
}

Status createSession(Catalog& catalog, const std::string& sessionHash, int64_t accountId,
                     int64_t expiresAt) {
    return catalog.db().transaction([&](SqlRunner& sql) {
        const int64_t now = nowSeconds();
        sql.execute("DELETE FROM api_session WHERE expires_at <= ?", {now});
        sql.execute(
            "INSERT INTO api_session (session_hash, account_id, created, expires_at) VALUES (?, ?, "
            "?, ?)",
            {sessionHash, accountId, now, expiresAt});
        return Status::ok();
    });
}

Status findSession(Catalog& catalog, const std::string& sessionHash, int64_t& accountId) {
    return catalog.db().read([&](SqlRunner& sql) {
        auto row = sql.queryOne(
            "SELECT account_id FROM api_session WHERE session_hash = ? AND expires_at > ?",
            {sessionHash, nowSeconds()});
        if (!row) return Status::notFound("no such session");
        accountId = row->integer(0);
        return Status::ok();
    });
}

Status removeSession(Catalog& catalog, const std::string& sessionHash) {
    return catalog.db().transaction([&](SqlRunner& sql) {
        sql.execute("DELETE FROM api_session WHERE session_hash = ?", {sessionHash});
        return Status::ok();
    });
}

Status createUpload(Catalog& catalog, const ApiUploadRecord& u) {
    return catalog.db().transaction([&](SqlRunner& sql) {
        sql.execute(
            "INSERT INTO api_upload (id, account_id, path, length, created) VALUES (?, ?, ?, ?, ?)",
            {u.id, u.accountId, u.path, static_cast<int64_t>(u.length), nowSeconds()});
        return Status::ok();
    });
}

Status findUpload(Catalog& catalog, const std::string& id, ApiUploadRecord& u) {
    return catalog.db().read([&](SqlRunner& sql) {
        auto row = sql.queryOne(
            "SELECT id, account_id, path, length, created FROM api_upload WHERE id = ?", {id});
        if (!row) return Status::notFound("no such upload");
        u.id = row->text(0);
        u.accountId = row->integer(1);
        u.path = row->text(2);
        u.length = static_cast<uint64_t>(row->integer(3));
        u.created = row->integer(4);
        return Status::ok();
    });
}

Status removeUpload(Catalog& catalog, const std::string& id) {
    return catalog.db().transaction([&](SqlRunner& sql) {
        sql.execute("DELETE FROM api_upload WHERE id = ?", {id});
        return Status::ok();
    });
}

std::string sortValue(const PackageRecord& p, const std::string& sort) {
    if (sort == "name") return p.sentName.empty() ? p.name : p.sentName;
    if (sort == "state") return p.state;
    if (sort == "sent") return std::to_string(p.sentAt.value_or(0));
    return std::to_string(p.created);
}

Status queryPackages(Catalog& catalog, const PackageQuery& q, std::vector<PackageRecord>& out,
                     int& reads) {
    std::string where = "WHERE 1 = 1";
    std::vector<SqlValue> params;
    if (!q.everyone) {
        // What the caller may see at all, narrowed to one box.
        std::string sent = "0", inbox = "0";
        if (!q.senders.empty() && q.box != "inbox") {
            // "+": no index on these terms, so SQLite walks the sort's index
            // (package_created) and stops after a page instead of sorting
            // every package of the caller (docs/benchmarks.md).
            sent = "+k.sender_id IN (" + placeholders(q.senders.size()) + ")";
            if (q.box == "sent") sent += " AND k.state <> 'draft'";
            if (q.box == "drafts") sent += " AND k.state = 'draft'";
        }
        if (!q.recipients.empty() && (q.box.empty() || q.box == "inbox")) {
            inbox =
                "(k.state = 'sent' AND +k.id IN (SELECT package_id FROM recipient WHERE "
                "hidden_at IS NULL AND account_id IN (" +
                placeholders(q.recipients.size()) + ")))";
        }
        where += " AND ((" + sent + ") OR " + inbox + ")";
        if (sent != "0") appendIds(params, q.senders);
        if (inbox != "0") appendIds(params, q.recipients);
    } else if (q.box == "drafts") {
        where += " AND k.state = 'draft'";
    } else if (!q.box.empty()) {
        where += " AND k.state <> 'draft'";
    }
    if (!q.state.empty()) {
        where += " AND k.state = ?";
        params.emplace_back(q.state);
    }
    if (!q.sender.empty()) {
        where += " AND COALESCE(k.origin_sender, s.name) = ?";
        params.emplace_back(q.sender);
    }
    if (!q.recipient.empty()) {
        where += " AND k.id IN (SELECT package_id FROM recipient WHERE address LIKE ? ESCAPE '\\')";
        params.emplace_back(likeContaining(q.recipient));
    }
    if (q.from) {
        where += " AND k.created >= ?";
        params.emplace_back(*q.from);
    }
    if (q.to) {
        where += " AND k.created < ?";
        params.emplace_back(*q.to);
    }
    if (!q.search.empty()) {
        // LIKE over name, message and file names (live files and, for ended
        // packages, their kept file list); docs/benchmarks.md has its cost.
        const std::string like = likeContaining(q.search);
        where +=
            " AND (k.name LIKE ? ESCAPE '\\' OR k.sent_name LIKE ? ESCAPE '\\' OR k.message LIKE "
            "? ESCAPE '\\' OR EXISTS (SELECT 1 FROM node n WHERE n.root_id = k.root_node AND "
            "n.name LIKE ? ESCAPE '\\') OR EXISTS (SELECT 1 FROM package_file_history h WHERE "
            "h.package_id = k.id AND h.path LIKE ? ESCAPE '\\'))";
        for (int i = 0; i < 5; ++i)
            params.emplace_back(like);
    }
    const SortColumn column = sortColumn(q.sort);
    const char* cmp = q.descending ? "<" : ">";
    if (q.after) {
        where += std::string(" AND (") + column.expression + " " + cmp + " ? OR (" +
                 column.expression + " = ? AND k.id " + cmp + " ?))";
        SqlValue value = q.after->first;
        if (column.integer) {
            try {
                value = static_cast<int64_t>(std::stoll(q.after->first));
            } catch (const std::exception&) {
                return Status::invalid("the cursor does not belong to this sort");
            }
        }
        params.push_back(value);
        params.push_back(value);
        params.emplace_back(q.after->second);
    }
    const char* order = q.descending ? " DESC" : " ASC";
    const std::string sql = std::string("SELECT ") + catalog_rows::kPackageColumns +
                            " FROM package k JOIN account s ON s.id = k.sender_id " + where +
                            " ORDER BY " + column.expression + order + ", k.id" + order +
                            " LIMIT ?";
    params.emplace_back(static_cast<int64_t>(q.limit));
    return catalog.db().read([&](SqlRunner& runner) {
        out.clear();
        ++reads;
        for (const SqlRow& row : runner.query(sql, params))
            out.push_back(catalog_rows::package(row));
        return Status::ok();
    });
}

Status queryAudit(Catalog& catalog, const AuditQuery& q, std::vector<AuditEntry>& entries) {
    std::string where = "WHERE 1 = 1";
    std::vector<SqlValue> params;
    const std::pair<const char*, const std::string*> equal[] = {
        {"account", &q.account},
        {"action", &q.action},
        {"protocol", &q.protocol},
        {"remote_address", &q.remoteAddress}};
    for (const auto& [column, value] : equal) {
        if (value->empty()) continue;
        where += std::string(" AND ") + column + " = ?";
        params.emplace_back(*value);
    }
    if (q.ok) {
        where += " AND ok = ?";
        params.emplace_back(int64_t{*q.ok ? 1 : 0});
    }
    if (q.from) {
        where += " AND at >= ?";
        params.emplace_back(*q.from);
    }
    if (q.to) {
        where += " AND at < ?";
        params.emplace_back(*q.to);
    }
    if (q.beforeId) {
        where += " AND id < ?";
        params.emplace_back(*q.beforeId);
    }
    params.emplace_back(static_cast<int64_t>(q.limit));
    return catalog.db().read([&](SqlRunner& sql) {
        entries.clear();
        for (const SqlRow& row : sql.query(
                 "SELECT id, at, account, remote_address, protocol, action, path, detail, ok FROM "
                 "audit " +
                     where + " ORDER BY id DESC LIMIT ?",
                 params)) {
            entries.push_back({row.integer(0), row.integer(1),
                               AuditEvent{row.text(2), row.text(3), row.text(4), row.text(5),
                                          row.text(6), row.text(7), row.integer(8) != 0}});
        }
        return Status::ok();
    });
}

Status listAddressEntries(Catalog& catalog, int64_t ownerId, std::vector<AddressEntry>& entries) {
    return catalog.db().read([&](SqlRunner& sql) {
        entries.clear();
        for (const SqlRow& row :
             sql.query("SELECT id, owner_id, name, email FROM address_entry WHERE owner_id = ? "
                       "ORDER BY name",
                       {ownerId})) {
            entries.push_back({row.integer(0), row.integer(1), row.text(2), row.text(3)});
        }
        return Status::ok();
    });
}

Status createAddressEntry(Catalog& catalog, AddressEntry& e) {
    return catalog.db().transaction([&](SqlRunner& sql) {
        if (sql.queryOne("SELECT id FROM address_entry WHERE owner_id = ? AND name = ?",
                         {e.ownerId, e.name})) {
            return Status::exists("an address-book entry named " + e.name + " exists");
        }
        e.id = sql.queryOne(
                      "INSERT INTO address_entry (owner_id, name, email) VALUES (?, ?, ?) "
                      "RETURNING id",
                      {e.ownerId, e.name, e.email})
                   ->integer(0);
        return Status::ok();
    });
}

Status findAddressEntry(Catalog& catalog, int64_t id, AddressEntry& e) {
    return catalog.db().read([&](SqlRunner& sql) {
        auto row =
            sql.queryOne("SELECT id, owner_id, name, email FROM address_entry WHERE id = ?", {id});
        if (!row) return Status::notFound("no address-book entry #" + std::to_string(id));
        e = {row->integer(0), row->integer(1), row->text(2), row->text(3)};
        return Status::ok();
    });
}

Status updateAddressEntry(Catalog& catalog, const AddressEntry& e) {
    return catalog.db().transaction([&](SqlRunner& sql) {
        if (sql.queryOne("SELECT id FROM address_entry WHERE owner_id = ? AND name = ? AND id <> ?",
                         {e.ownerId, e.name, e.id})) {
            return Status::exists("an address-book entry named " + e.name + " exists");
        }
        sql.execute("UPDATE address_entry SET name = ?, email = ? WHERE id = ?",
                    {e.name, e.email, e.id});
        return Status::ok();
    });
}

Status removeAddressEntry(Catalog& catalog, int64_t id) {
    return catalog.db().transaction([&](SqlRunner& sql) {
        sql.execute("DELETE FROM address_entry WHERE id = ?", {id});
        return Status::ok();
    });
}

}  // namespace dad::catalog_api
