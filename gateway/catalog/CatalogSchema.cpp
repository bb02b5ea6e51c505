#include "CatalogSchema.h"

#include <string>
#include <vector>

namespace dad {

namespace {

// Version 1: the records of seed 000's Figure 2 (account, package, address
// book, server site, server list, download) plus what the gateway needs: the
// node tree that holds every file and folder, blobs with reference counts,
// partial uploads, a durable job queue and an audit log.
const std::vector<std::string> kVersion1 = {
    R"(CREATE TABLE account (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        email TEXT,
        type TEXT NOT NULL CHECK (type IN ('admin', 'user', 'guest')),
        parent_id INTEGER REFERENCES account(id),
        password_hash TEXT,
        quota_bytes INTEGER,
        disabled INTEGER NOT NULL DEFAULT 0,
        files_root INTEGER,
        created INTEGER NOT NULL))",
    R"(CREATE TABLE ssh_key (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
        key_type TEXT NOT NULL,
        key_base64 TEXT NOT NULL,
        comment TEXT,
        created INTEGER NOT NULL,
        UNIQUE (account_id, key_type, key_base64)))",
    R"(CREATE TABLE blob (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        refcount INTEGER NOT NULL,
        unreferenced_since INTEGER))",
    R"(CREATE TABLE node (
        id INTEGER PRIMARY KEY,
        parent_id INTEGER REFERENCES node(id),
        root_id INTEGER,
        name TEXT NOT NULL,
        is_dir INTEGER NOT NULL,
        blob TEXT REFERENCES blob(sha256),
        size INTEGER NOT NULL DEFAULT 0,
        mtime INTEGER NOT NULL,
        owner_id INTEGER REFERENCES account(id),
        UNIQUE (parent_id, name)))",
    "CREATE INDEX node_root ON node(root_id)",
    "CREATE INDEX node_blob ON node(blob)",
    R"(CREATE TABLE package (
        id INTEGER PRIMARY KEY,
        pid TEXT NOT NULL UNIQUE,
        token TEXT NOT NULL UNIQUE,
        sender_id INTEGER NOT NULL REFERENCES account(id),
        name TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('draft', 'sent', 'expired', 'withdrawn')),
        root_node INTEGER NOT NULL REFERENCES node(id),
        message TEXT,
        expires_at INTEGER,
        expires_after INTEGER,
        max_downloads INTEGER,
        password_hash TEXT,
        notify TEXT,
        forward_to TEXT,
        return_of INTEGER REFERENCES package(id),
        sent_name TEXT,
        created INTEGER NOT NULL,
        sent_at INTEGER))",
    "CREATE INDEX package_sender ON package(sender_id, state)",
    R"(CREATE TABLE recipient (
        id INTEGER PRIMARY KEY,
        package_id INTEGER NOT NULL REFERENCES package(id),
        address TEXT NOT NULL,
        account_id INTEGER REFERENCES account(id),
        kind TEXT NOT NULL DEFAULT 'to',
        inbox_name TEXT,
        notified_at INTEGER,
        UNIQUE (package_id, address)))",
    "CREATE INDEX recipient_account ON recipient(account_id)",
    R"(CREATE TABLE download (
        id INTEGER PRIMARY KEY,
        package_id INTEGER NOT NULL REFERENCES package(id),
        node_id INTEGER,
        path TEXT NOT NULL,
        account_id INTEGER REFERENCES account(id),
        remote_address TEXT,
        protocol TEXT,
        started INTEGER NOT NULL,
        finished INTEGER,
        start_offset INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        complete INTEGER NOT NULL DEFAULT 0))",
    "CREATE INDEX download_package ON download(package_id)",
    R"(CREATE TABLE upload (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES account(id),
        parent_node INTEGER NOT NULL REFERENCES node(id),
        root_node INTEGER NOT NULL,
        name TEXT NOT NULL,
        temp_name TEXT NOT NULL,
        started INTEGER NOT NULL,
        UNIQUE (parent_node, name, account_id)))",
    R"(CREATE TABLE address_entry (
        id INTEGER PRIMARY KEY,
        owner_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        email TEXT,
        phone TEXT,
        fax TEXT,
        im TEXT,
        UNIQUE (owner_id, name)))",
    R"(CREATE TABLE address_group (
        id INTEGER PRIMARY KEY,
        owner_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        UNIQUE (owner_id, name)))",
    R"(CREATE TABLE address_group_member (
        group_id INTEGER NOT NULL REFERENCES address_group(id) ON DELETE CASCADE,
        entry_id INTEGER NOT NULL REFERENCES address_entry(id) ON DELETE CASCADE,
        PRIMARY KEY (group_id, entry_id)))",
    R"(CREATE TABLE site (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL CHECK (type IN ('peer', 'ftp', 'ftps', 'sftp')),
        url TEXT NOT NULL,
        user_name TEXT,
        secret TEXT,
        created INTEGER NOT NULL))",
    R"(CREATE TABLE server_list (
        account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
        site_id INTEGER NOT NULL REFERENCES site(id) ON DELETE CASCADE,
        PRIMARY KEY (account_id, site_id)))",
    R"(CREATE TABLE job (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        run_after INTEGER NOT NULL,
        last_error TEXT,
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL))",
    "CREATE INDEX job_due ON job(state, run_after)",
    R"(CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        account TEXT,
        remote_address TEXT,
        protocol TEXT,
        action TEXT NOT NULL,
        path TEXT,
        detail TEXT,
        ok INTEGER NOT NULL))",
};

// Version 2: WebDAV dead properties (PROPPATCH), kept with the node they
// describe: a move keeps them, removing the node removes them.
const std::vector<std::string> kVersion2 = {
    R"(CREATE TABLE dead_property (
        node_id INTEGER NOT NULL,
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (node_id, namespace, name)))",
    R"(CREATE TRIGGER dead_property_node_removed AFTER DELETE ON node
        BEGIN DELETE FROM dead_property WHERE node_id = OLD.id; END)",
};

// Version 3: jobs get a dead-letter state ('dead', after the last attempt) and
// 'cancelled'; the job table is rebuilt because SQLite cannot alter a CHECK.
// Indexes for the per-account sums of quotas.
const std::vector<std::string> kVersion3 = {
    R"(CREATE TABLE job_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued'
            CHECK (state IN ('queued', 'running', 'done', 'dead', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        run_after INTEGER NOT NULL,
        last_error TEXT,
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL))",
    R"(INSERT INTO job_v3 (id, kind, payload, state, attempts, run_after, last_error, created,
        updated) SELECT id, kind, payload, CASE state WHEN 'failed' THEN 'dead' ELSE state END,
        attempts, run_after, last_error, created, updated FROM job)",
    "DROP TABLE job",
    "ALTER TABLE job_v3 RENAME TO job",
    "CREATE INDEX job_due ON job(state, run_after)",
    "CREATE INDEX node_owner ON node(owner_id, is_dir)",
};

// Version 4: the file list of an expired package, kept for the sender's
// tracking after its content is released.
const std::vector<std::string> kVersion4 = {
    R"(CREATE TABLE package_file_history (
        package_id INTEGER NOT NULL REFERENCES package(id),
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (package_id, path)))",
};

// Version 5: a quota on the number of files.
const std::vector<std::string> kVersion5 = {
    "ALTER TABLE account ADD COLUMN quota_files INTEGER",
};

// Version 6: notifications already sent (so a retried job does not send a
// mail twice) and receipt lines waiting for a sender's daily digest.
const std::vector<std::string> kVersion6 = {
    R"(CREATE TABLE notification_sent (
        key TEXT PRIMARY KEY,
        sent_at INTEGER NOT NULL))",
    R"(CREATE TABLE receipt_digest (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sender_id INTEGER NOT NULL,
        line TEXT NOT NULL,
        created INTEGER NOT NULL,
        sent_at INTEGER))",
    "CREATE INDEX receipt_digest_pending ON receipt_digest(sender_id, sent_at)",
};

// Version 7: sites a package can be forwarded to (their secrets live in
// <data>/site-secrets, never here) and the state of each package's forward
// to each site, for tracking. Version 1's placeholders (site with a secret
// column, server_list) were never used and are replaced.
const std::vector<std::string> kVersion7 = {
    "DROP TABLE IF EXISTS server_list",
    "DROP TABLE IF EXISTS site",
    R"(CREATE TABLE site (
        name TEXT PRIMARY KEY,
        type TEXT NOT NULL CHECK (type IN ('peer', 'ftp', 'ftps', 'sftp')),
        url TEXT NOT NULL,
        user TEXT NOT NULL DEFAULT '',
        ca_file TEXT NOT NULL DEFAULT '',
        host_key TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL))",
    R"(CREATE TABLE package_forward (
        package_id INTEGER NOT NULL REFERENCES package(id),
        site TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
        bytes_done INTEGER NOT NULL DEFAULT 0,
        bytes_total INTEGER NOT NULL DEFAULT 0,
        error TEXT NOT NULL DEFAULT '',
        attempts INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (package_id, site)))",
};

// Version 8: a package forwarded here by a peer dadgate keeps the name of its
// sender at the origin site (its sender_id is the peer account).
const std::vector<std::string> kVersion8 = {
    "ALTER TABLE package ADD COLUMN origin_sender TEXT",
};

// Version 9: address-book groups, site-wide (owner_id NULL) or personal;
// members (account names, e-mail addresses, "@group") in the order added
// (rowid). An account's groups go with it. They replace version 1's group
// tables, which no code ever wrote (members were address_entry ids).
const std::vector<std::string> kVersion9 = {
    "DROP TABLE address_group_member",
    "DROP TABLE address_group",
    R"(CREATE TABLE address_group (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        owner_id INTEGER REFERENCES account(id),
        created INTEGER NOT NULL))",
    "CREATE UNIQUE INDEX address_group_name ON address_group(ifnull(owner_id, 0), name)",
    R"(CREATE TABLE address_group_member (
        group_id INTEGER NOT NULL REFERENCES address_group(id),
        member TEXT NOT NULL,
        PRIMARY KEY (group_id, member)))",
    R"(CREATE TRIGGER address_group_removed AFTER DELETE ON address_group
        BEGIN DELETE FROM address_group_member WHERE group_id = OLD.id; END)",
    R"(CREATE TRIGGER address_group_owner_removed BEFORE DELETE ON account
        BEGIN DELETE FROM address_group WHERE owner_id = OLD.id; END)",
};

// Version 10: login bans, so that every node and dadctl see them: a client
// address or an account refused password logins until `until` (seconds since
// the epoch), with the reason (issue 12).
const std::vector<std::string> kVersion10 = {
    R"(CREATE TABLE login_ban (
        kind TEXT NOT NULL CHECK (kind IN ('address', 'account')),
        subject TEXT NOT NULL,
        until INTEGER NOT NULL,
        reason TEXT NOT NULL,
        created INTEGER NOT NULL,
        PRIMARY KEY (kind, subject)))",
};

// Version 11: a package's life, exact (issue 18). A download is charged the
// bytes it may serve before it serves them (`charged`; what it did serve is
// `bytes`), so the limit holds in bytes over every protocol at once. A
// withdrawn package (or removed draft) says by whom and when; a recipient who
// removed a package from their inbox hides it for themselves only. A copy
// forwarded before the withdrawal is withdrawn at the far side by a job.
const std::vector<std::string> kVersion11 = {
    "ALTER TABLE download ADD COLUMN charged INTEGER NOT NULL DEFAULT 0",
    "UPDATE download SET charged = bytes",
    "CREATE INDEX download_node ON download(node_id)",
    "ALTER TABLE package ADD COLUMN withdrawn_by TEXT",
    "ALTER TABLE package ADD COLUMN withdrawn_at INTEGER",
    "ALTER TABLE recipient ADD COLUMN hidden_at INTEGER",
    // A forward already made when its package was withdrawn: withdrawn at
    // the far side too ('' none asked, queued, done, failed + why).
    "ALTER TABLE package_forward ADD COLUMN withdrawal TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE package_forward ADD COLUMN withdrawal_error TEXT NOT NULL DEFAULT ''",
};

// Version 12: the admin API (issue 11). API tokens of an account, stored as
// the SHA-256 of the token (tokens are 256 random bits, so no slow hash is
// needed); console login sessions, also by the SHA-256 of their cookie, kept
// here so a restart logs nobody out; the resumable browser uploads (tus),
// each a file of a draft with its announced length.
const std::vector<std::string> kVersion12 = {
    R"(CREATE TABLE api_token (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        scope TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
        token_hash TEXT NOT NULL UNIQUE,
        created INTEGER NOT NULL,
        expires_at INTEGER,
        last_used INTEGER,
        UNIQUE (account_id, name)))",
    R"(CREATE TABLE api_session (
        session_hash TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
        created INTEGER NOT NULL,
        expires_at INTEGER NOT NULL))",
    R"(CREATE TABLE api_upload (
        id TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        length INTEGER NOT NULL,
        created INTEGER NOT NULL))",
    "CREATE INDEX package_created ON package(created, id)",
    "CREATE INDEX audit_at ON audit(at, id)",
};

const std::vector<const std::vector<std::string>*> kMigrations = {
    &kVersion1, &kVersion2, &kVersion3, &kVersion4,  &kVersion5,  &kVersion6,
    &kVersion7, &kVersion8, &kVersion9, &kVersion10, &kVersion11, &kVersion12};

}  // namespace

int latestCatalogVersion() {
    return static_cast<int>(kMigrations.size());
}

Status migrateCatalog(Db& db) {
    Status s = db.transaction([](SqlRunner& sql) {
        sql.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        if (!sql.queryOne("SELECT version FROM schema_version")) {
            sql.execute("INSERT INTO schema_version (version) VALUES (0)");
        }
        return Status::ok();
    });
    if (!s) return s;
    for (;;) {
        bool done = false;
        s = db.transaction([&](SqlRunner& sql) {
            const int64_t version = sql.queryOne("SELECT version FROM schema_version")->integer(0);
            if (version > latestCatalogVersion()) {
                return Status::failure("catalog schema version " + std::to_string(version) +
                                       " is newer than this dadgate knows (" +
                                       std::to_string(latestCatalogVersion()) + ")");
            }
            if (version == latestCatalogVersion()) {
                done = true;
                return Status::ok();
            }
            for (const std::string& statement : *kMigrations[static_cast<size_t>(version)]) {
                sql.execute(statement);
            }
            sql.execute("UPDATE schema_version SET version = ?", {version + 1});
            return Status::ok();
        });
        if (!s || done) return s;
    }
}

}  // namespace dad
