// CatalogApi: the catalog's tables and queries for the admin layer and its
// API (schema version 12): API tokens, console sessions, resumable browser
// uploads, the package query of the API's lists (filters, sort, search,
// keyset pagination), the audit query with filters, and address-book entries.
// Free functions over Catalog::db(), each one transaction or one read, so
// Catalog.h stays the record of the core. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "Catalog.h"

namespace dad {

struct ApiTokenRecord {
    int64_t id = 0;
    int64_t accountId = 0;
    std::string accountName;  // filled by reads
    std::string name;
    std::string scope;      // read, write, admin
    std::string tokenHash;  // SHA-256 hex of the token
    int64_t created = 0;
    std::optional<int64_t> expiresAt;
    std::optional<int64_t> lastUsed;
};

struct ApiUploadRecord {
    std::string id;  // random, URL-safe
    int64_t accountId = 0;
    std::string path;  // the file's virtual path (/outbox/<draft>/<file>)
    uint64_t length = 0;
    int64_t created = 0;
};

// The packages a list may show, as the admin layer decided.
struct PackageQuery {
    std::vector<int64_t> senders;     // sent and drafts: packages these accounts sent
    std::vector<int64_t> recipients;  // inbox: packages addressed to these accounts
    bool everyone = false;            // the operator: every package
    std::string box;                  // "" all, sent, inbox, drafts
    std::string state;                // "" any
    std::string sender;               // account name; "" any
    std::string recipient;            // part of a recipient's address; "" any
    std::optional<int64_t> from, to;  // created within [from, to)
    std::string search;               // in name, message or a file's name
    std::string sort = "created";     // created, name, state, sent
    bool descending = true;
    size_t limit = 50;
    // Where the previous page ended: the sort value and the id of its last row.
    std::optional<std::pair<std::string, int64_t>> after;
};

struct AuditQuery {
    std::string account, action, protocol, remoteAddress;  // "" any
    std::optional<bool> ok;
    std::optional<int64_t> from, to;
    std::optional<int64_t> beforeId;  // the page before this entry (newest first)
    size_t limit = 100;
};

struct AuditEntry {
    int64_t id = 0;
    int64_t at = 0;
    AuditEvent event;
};

struct AddressEntry {
    int64_t id = 0;
    int64_t ownerId = 0;
    std::string name;
    std::string email;
};

namespace catalog_api {

// An account's e-mail address ("" for none).
Status setEmail(Catalog& catalog, int64_t accountId, const std::string& email);

// --- tokens. Exists when the account has a token of that name.
Status createToken(Catalog& catalog, ApiTokenRecord& token);
// By the token's hash; NotFound otherwise. Marks it used (relaxed durability).
Status findTokenByHash(Catalog& catalog, const std::string& tokenHash, ApiTokenRecord& token);
// Every token (accountId absent) or an account's, without their hashes.
Status listTokens(Catalog& catalog, std::optional<int64_t> accountId,
                  std::vector<ApiTokenRecord>& tokens);
Status findToken(Catalog& catalog, int64_t id, ApiTokenRecord& token);
Status removeToken(Catalog& catalog, int64_t id);

// --- console sessions, by the SHA-256 of their cookie
Status createSession(Catalog& catalog, const std::string& sessionHash, int64_t accountId,
                     int64_t expiresAt);
// NotFound when unknown or expired (expired ones are removed on the way).
Status findSession(Catalog& catalog, const std::string& sessionHash, int64_t& accountId);
Status removeSession(Catalog& catalog, const std::string& sessionHash);

// --- resumable uploads
Status createUpload(Catalog& catalog, const ApiUploadRecord& upload);
Status findUpload(Catalog& catalog, const std::string& id, ApiUploadRecord& upload);
Status removeUpload(Catalog& catalog, const std::string& id);

// --- the package list. `reads` counts the catalog queries run (for the
// benchmark's "queries per page").
Status queryPackages(Catalog& catalog, const PackageQuery& query,
                     std::vector<PackageRecord>& packages, int& reads);
// The value of `sort` of a package, as the cursor holds it.
std::string sortValue(const PackageRecord& package, const std::string& sort);

// --- audit, newest first
Status queryAudit(Catalog& catalog, const AuditQuery& query, std::vector<AuditEntry>& entries);

// --- address-book entries (a name and an e-mail address per owner)
Status listAddressEntries(Catalog& catalog, int64_t ownerId, std::vector<AddressEntry>& entries);
// Exists when the owner has an entry of that name.
Status createAddressEntry(Catalog& catalog, AddressEntry& entry);
Status findAddressEntry(Catalog& catalog, int64_t id, AddressEntry& entry);
Status updateAddressEntry(Catalog& catalog, const AddressEntry& entry);
Status removeAddressEntry(Catalog& catalog, int64_t id);

}  // namespace catalog_api

}  // namespace dad
