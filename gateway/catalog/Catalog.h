// Catalog: the metadata database (accounts, the node tree of files and
// folders, blobs and their reference counts, packages, recipients,
// downloads, partial uploads, jobs, audit). Typed operations over Db; each
// public method is one transaction, so callers never see half a change.
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Db.h"
#include "Status.h"

namespace dad {

struct AccountRecord {
    int64_t id = 0;
    std::string name;
    std::string email;
    std::string type = "user";  // admin, user, guest
    std::optional<int64_t> parentId;
    std::string parentName;  // filled by reads
    std::string passwordHash;
    std::optional<int64_t> quotaBytes;
    std::optional<int64_t> quotaFiles;
    bool disabled = false;
    int64_t filesRoot = 0;
    int64_t created = 0;
};

struct SshKeyRecord {
    std::string type;
    std::string base64;
    std::string comment;
};

struct NodeRecord {
    int64_t id = 0;
    int64_t parentId = 0;
    int64_t rootId = 0;
    std::string name;
    bool isDir = false;
    std::string blob;  // sha256 hex, files only
    uint64_t size = 0;
    int64_t mtime = 0;
    int64_t ownerId = 0;
};

struct UploadRecord {
    int64_t id = 0;
    int64_t accountId = 0;
    int64_t parentNode = 0;
    int64_t rootNode = 0;
    std::string name;
    std::string tempName;
    int64_t started = 0;
};

struct PackageRecord {
    int64_t id = 0;
    std::string pid;
    std::string token;
    int64_t senderId = 0;
    std::string senderName;  // filled by reads
    std::string name;        // the draft folder's name
    std::string state = "draft";
    int64_t rootNode = 0;
    std::string message;
    std::optional<int64_t> expiresAt;
    std::optional<int64_t> expiresAfter;  // seconds after sending (from the manifest)
    std::optional<int64_t> maxDownloads;
    std::string passwordHash;
    std::string notify;
    std::string forwardTo;
    std::optional<int64_t> returnOf;
    std::string sentName;
    int64_t created = 0;
    std::optional<int64_t> sentAt;
    std::string withdrawnBy;  // state withdrawn: the account that withdrew it
    std::optional<int64_t> withdrawnAt;
};

struct RecipientRecord {
    int64_t id = 0;
    int64_t packageId = 0;
    std::string address;  // account name or e-mail address
    std::optional<int64_t> accountId;
    std::string kind = "to";  // to, cc
    std::string inboxName;
    std::optional<int64_t> hiddenAt;  // removed from the recipient's /inbox
};

struct DownloadRecord {
    int64_t id = 0;
    int64_t packageId = 0;
    int64_t nodeId = 0;
    std::string path;
    std::optional<int64_t> accountId;
    std::string accountName;  // filled by reads
    std::string remoteAddress;
    std::string protocol;
    int64_t started = 0;
    std::optional<int64_t> finished;
    uint64_t startOffset = 0;
    uint64_t bytes = 0;    // served
    uint64_t charged = 0;  // counted against the limit (served, or granted and not yet served)
    bool complete = false;
};

struct AuditEvent {
    std::string account;
    std::string remoteAddress;
    std::string protocol;
    std::string action;  // login, upload, download, send, ...
    std::string path;
    std::string detail;
    bool ok = true;
};

// A WebDAV dead property: a name in an XML namespace, its value as an XML
// fragment the front-end wrote.
struct DeadProperty {
    std::string ns;
    std::string name;
    std::string value;
};

struct JobRecord {
    int64_t id = 0;
    std::string kind;  // notify, forward, fetch, ...
    std::string payload;
    std::string state;  // queued, running, done, dead, cancelled
    int64_t attempts = 0;
    int64_t runAfter = 0;
    std::string lastError;
    int64_t created = 0;
    int64_t updated = 0;
};

struct BlobRecord {
    std::string sha256;
    uint64_t size = 0;
    int64_t refcount = 0;
};

// A site packages can be forwarded to (CatalogSites.cpp). Its password or
// token is not here: see Sites.h.
struct SiteRecord {
    std::string name;
    std::string type;  // peer, ftp, ftps, sftp
    std::string url;
    std::string user;
    std::string caFile;   // CA PEM, relative to the data dir (Sites::saveCa); "" = the system's
    std::string hostKey;  // sftp: "SHA256:<base64>"
    int64_t createdAt = 0;
};

// Password logins refused for a client address or an account until `until`.
struct LoginBan {
    std::string kind;  // address, account
    std::string subject;
    int64_t until = 0;  // seconds since the epoch
    std::string reason;
    int64_t created = 0;
};

// One package's forward to one site, for tracking.
struct ForwardRecord {
    int64_t packageId = 0;
    std::string site;
    std::string state;  // queued, running, done, failed
    uint64_t bytesDone = 0;
    uint64_t bytesTotal = 0;
    std::string error;  // the last failure ("" when none)
    int64_t attempts = 0;
    int64_t updatedAt = 0;
    // A forward made before its package was withdrawn: the withdrawal at
    // the far side ("" none asked, queued, done, failed) and why it failed.
    std::string withdrawal;
    std::string withdrawalError;
};

// An address-book group (CatalogGroups.cpp): site-wide (no owner, made by an
// admin) or personal (owned by an account; it shadows a site group of the
// same name for its owner). Members are account names, e-mail addresses or
// other groups ("@name"), in the order they were added.
struct GroupRecord {
    int64_t id = 0;
    std::string name;
    std::optional<int64_t> ownerId;
    std::string ownerName;  // filled by reads
    std::vector<std::string> members;
    int64_t created = 0;
};

class Catalog {
public:
    // Opens the SQLite catalog at `path` and migrates it to the latest schema.
    static Status openSqlite(const std::string& path, std::unique_ptr<Catalog>& catalog);
    explicit Catalog(std::unique_ptr<Db> db);

    // --- accounts
    // Creates the account and its /files root. Exists if the name is taken.
    Status createAccount(AccountRecord& account);
    Status findAccount(const std::string& name, AccountRecord& account);
    Status findAccountById(int64_t id, AccountRecord& account);
    // An account whose name or e-mail is `address` (case-insensitive e-mail).
    Status findAccountByAddress(const std::string& address, AccountRecord& account);
    Status listAccounts(std::vector<AccountRecord>& accounts);
    Status countAccounts(int64_t& count);
    Status setDisabled(const std::string& name, bool disabled);
    Status setPasswordHash(const std::string& name, const std::string& hash);
    // Removes the account, its files and drafts. Refused while it has sub-users.
    Status removeAccount(const std::string& name);
    Status addKey(const std::string& name, const SshKeyRecord& key);
    Status listKeys(const std::string& name, std::vector<SshKeyRecord>& keys);

    // --- nodes (the tree of every file and folder)
    Status findChild(int64_t parentId, const std::string& name, std::optional<NodeRecord>& node);
    Status findNode(int64_t id, NodeRecord& node);
    Status listChildren(int64_t parentId, std::vector<NodeRecord>& children);
    // Every file under `rootId` with its path relative to the root.
    Status listFilesUnder(int64_t rootId, std::vector<std::pair<std::string, NodeRecord>>& files);
    Status createDirectory(int64_t parentId, const std::string& name, int64_t ownerId, int64_t& id);
    // Links a stored blob under parentId/name, replacing an existing file of
    // that name atomically (never a directory). Counts a reference to `sha256`.
    Status linkFile(int64_t parentId, const std::string& name, int64_t ownerId,
                    const std::string& sha256, uint64_t size, int64_t mtime, bool replace);
    // Removes a file (dropping its blob reference) or an empty directory.
    Status removeNode(int64_t id);
    Status moveNode(int64_t id, int64_t newParentId, const std::string& newName, bool replace);
    Status setModificationTime(int64_t id, int64_t mtime);
    // Bytes of all files owned by the account (what counts against its quota).
    Status usedBytes(int64_t accountId, uint64_t& bytes);
    // Logical bytes and number of files owned by the accounts, together.
    Status usage(const std::vector<int64_t>& accountIds, uint64_t& bytes, uint64_t& files);
    // The accounts whose parent is `adminId`.
    Status listSubUsers(int64_t adminId, std::vector<int64_t>& ids);
    // The guest accounts that returned files through the links of packages
    // `accountId` sent (what they store counts against `accountId`'s quota).
    Status listReturningGuests(int64_t accountId, std::vector<int64_t>& ids);
    // The account guest `guestId` returns files to (0 when none).
    Status returnedTo(int64_t guestId, int64_t& accountId);
    Status setQuota(const std::string& name, std::optional<int64_t> bytes,
                    std::optional<int64_t> files);

    // --- partial uploads
    Status findUpload(int64_t parentNode, const std::string& name, int64_t accountId,
                      std::optional<UploadRecord>& upload);
    Status createUpload(UploadRecord& upload);
    Status removeUpload(int64_t id);
    Status listUploads(int64_t parentNode, int64_t accountId, std::vector<UploadRecord>& uploads);
    Status countUploadsUnder(int64_t rootNode, int64_t& count);
    Status listAllUploads(std::vector<UploadRecord>& uploads);
    // Completes an upload: links the blob under the upload's name and forgets
    // the upload, in one transaction.
    Status completeUpload(const UploadRecord& upload, const std::string& sha256, uint64_t size,
                          int64_t mtime);

    // --- packages
    // Creates a draft and its root node.
    Status createPackage(PackageRecord& package);
    Status findPackage(int64_t id, PackageRecord& package);
    Status findPackageByPid(const std::string& pid, PackageRecord& package);
    Status findDraft(int64_t senderId, const std::string& name, std::optional<PackageRecord>& p);
    Status findSent(int64_t senderId, const std::string& sentName, std::optional<PackageRecord>& p);
    Status listPackagesOfSender(int64_t senderId, const std::string& state,
                                std::vector<PackageRecord>& packages);
    // Sent packages of which the account is a recipient, with the inbox name
    // (not those the account removed from its inbox).
    Status listInbox(int64_t accountId,
                     std::vector<std::pair<std::string, PackageRecord>>& packages);
    // `hidden`: the one the account removed from its inbox instead.
    Status findInbox(int64_t accountId, const std::string& inboxName,
                     std::optional<PackageRecord>& package, bool hidden = false);
    // The recipient removed the package from their /inbox: hidden for them
    // only (listInbox and findInbox no longer see it). NotFound when it is not
    // in their inbox.
    Status hideFromInbox(int64_t packageId, int64_t accountId);
    Status listPackages(std::optional<int64_t> accountId, std::vector<PackageRecord>& packages);
    // Writes the manifest's fields (message, expiry, limits, password, notify, forward).
    Status updatePackageSettings(const PackageRecord& package);
    Status setRecipients(int64_t packageId, const std::vector<RecipientRecord>& recipients);
    Status listRecipients(int64_t packageId, std::vector<RecipientRecord>& recipients);
    // Sends a draft: state sent, its name in /sent chosen unique from
    // `preferredName`, every recipient account given a unique inbox name.
    // Fails (nothing changed) when an upload is unfinished or it is not a draft.
    Status sendPackage(int64_t packageId, const std::string& preferredName);
    Status renameDraft(int64_t packageId, const std::string& newName);
    // Removes an empty draft (NotEmpty otherwise): it becomes withdrawn by
    // `removedBy`, never sent, so its link answers that it is gone and what
    // the link served stays tracked. It no longer shows in /outbox or /sent.
    Status removeDraft(int64_t packageId, const std::string& removedBy);
    Status setPackageState(int64_t packageId, const std::string& state);
    // Ends a package (state expired or withdrawn): its file list is kept as
    // history, its files are removed so their blobs can be collected once
    // nothing else references them. One transaction; idempotent.
    Status endPackage(int64_t packageId, const std::string& state);
    // Withdraws a sent package (InvalidArgument otherwise), in one
    // transaction: ended as endPackage does (state withdrawn, by
    // `withdrawnBy`, now), its queued or dead jobs whose payload holds one of
    // `jobFragments` cancelled, its forwards not yet made marked failed, and
    // for each forward already made (its copy is elsewhere) its withdrawal
    // queued: a job of `withdrawalKind` with payload `withdrawalPayload(site)`.
    Status withdrawPackage(int64_t packageId, const std::string& withdrawnBy,
                           const std::vector<std::string>& jobFragments,
                           const std::string& withdrawalKind,
                           const std::function<std::string(const std::string&)>& withdrawalPayload);
    // The file list kept by endPackage (path, size, sha256).
    Status listFileHistory(int64_t packageId,
                           std::vector<std::pair<std::string, NodeRecord>>& files);
    // The reply package `replierId` is building for `originalId`, if any.
    Status findReply(int64_t originalId, int64_t replierId, std::optional<PackageRecord>& p);
    // The package whose share token is `token` (CatalogLinks.cpp). NotFound
    // otherwise; the message never repeats the token.
    Status findPackageByToken(const std::string& token, PackageRecord& package);
    // A package that came from a peer dadgate shows its sender at the origin
    // ("alice@site-a") as senderName instead of the peer account (CatalogPeers.cpp).
    Status setPackageOrigin(int64_t packageId, const std::string& originSender);

    // --- downloads (CatalogDownloads.cpp). A file of a package with
    // max_downloads n serves at most n x size bytes in all, over every
    // download and protocol at once, plus kRestartAllowanceBytes (at most a
    // quarter of the size) to a recipient with an ended download of it: one
    // who broke off or peeked, and started again from zero. A recipient is an account, or a visitor
    // of the link by address.
    static constexpr uint64_t kRestartAllowanceBytes = 1 << 20;
    // Records a download starting; nothing is charged yet. PermissionDenied
    // when the package is no longer available (or the file gone) or when the
    // file has served all it may.
    Status startDownload(DownloadRecord& download);
    // Charges download `id` up to `wanted` more bytes before they are served
    // (the first charge records `offset` as where it started), checked against
    // the limit in the same transaction, so concurrent downloads together
    // never pass it. `granted` may be less than `wanted`; 0 with
    // PermissionDenied when nothing is left or the package was withdrawn or
    // expired meanwhile.
    Status chargeDownload(int64_t id, uint64_t offset, uint64_t wanted, uint64_t& granted);
    // Ends a download that served `bytes` of a file of `fileSize`; with
    // `refund`, what was charged beyond them is given back (without: a zip cut
    // short, whose files may have been served). `complete`: what this
    // recipient was served of the file, over all its downloads, reached its
    // size once more (an honest resume completes; a re-read of the same part
    // adds up too; for a package a peer forwarded here, serving all from
    // where the download started also counts: its start was served at the
    // origin). Idempotent.
    Status finishDownload(int64_t id, uint64_t bytes, uint64_t fileSize, bool& complete,
                          bool refund = true);
    // At start: downloads a crash cut are finished, incomplete; what they were
    // charged stays charged.
    Status closeInterruptedDownloads();
    Status listDownloads(int64_t packageId, std::vector<DownloadRecord>& downloads);
    // What the finished downloads of a file were charged, together.
    Status servedBytes(int64_t nodeId, uint64_t& bytes);

    // --- blobs
    Status findBlob(const std::string& sha256, std::optional<BlobRecord>& blob);
    Status listBlobs(std::vector<BlobRecord>& blobs);
    // Blobs with no reference since before `cutoff`; removed from the catalog
    // in the same transaction so no new reference can appear afterwards.
    Status takeCollectableBlobs(int64_t cutoff, std::vector<std::string>& sha256s);
    // Checks refcounts against the node table; lists each mismatch.
    Status checkReferenceCounts(std::vector<std::string>& problems);

    // --- dead properties (CatalogProperties.cpp); removed with their node
    Status listDeadProperties(int64_t nodeId, std::vector<DeadProperty>& properties);
    // Those of all children of `parentId` in one query: (child name, property),
    // ordered by name, namespace and property name.
    Status listChildDeadProperties(int64_t parentId,
                                   std::vector<std::pair<std::string, DeadProperty>>& properties);
    // Sets (value present) and removes (value absent) in one transaction.
    Status changeDeadProperties(int64_t nodeId,
                                const std::vector<std::pair<DeadProperty, bool>>& changes);
    // Replaces the properties of `toNode` with a copy of those of `fromNode`.
    Status copyDeadProperties(int64_t fromNode, int64_t toNode);

    // --- audit and jobs
    void audit(const AuditEvent& event);
    // The newest `limit` audit entries of one action (oldest first), with their times.
    Status listAudit(const std::string& action, int64_t limit,
                     std::vector<std::pair<int64_t, AuditEvent>>& events);
    Status enqueueJob(const std::string& kind, const std::string& payload);
    // Queues a job due at `runAfter` (seconds since the epoch); `id` is its number.
    Status enqueueJobAt(const std::string& kind, const std::string& payload, int64_t runAfter,
                        int64_t& id);

    // --- the durable job queue (CatalogJobs.cpp)
    // At start: jobs a crash left running are queued again.
    Status requeueRunningJobs();
    // Takes the next due job of one of `kinds` (state running, one attempt more).
    Status claimJob(const std::vector<std::string>& kinds, std::optional<JobRecord>& job);
    Status completeJob(int64_t id);
    // A failed attempt: queued again at `retryAt`, or dead (no retry) without one.
    Status failJob(int64_t id, const std::string& error, std::optional<int64_t> retryAt);
    // The earliest run_after of a queued job of `kinds`, if any.
    Status nextJobDue(const std::vector<std::string>& kinds, std::optional<int64_t>& at);
    Status listJobs(const std::string& state, std::vector<JobRecord>& jobs);
    // dead or cancelled -> queued now, attempts reset. NotFound otherwise.
    Status retryJob(int64_t id);
    // queued or dead -> cancelled. A running job cannot be cancelled.
    Status cancelJob(int64_t id);
    // Replaces a job's payload (a handler recording its result for readers).
    Status setJobPayload(int64_t id, const std::string& payload);
    // The jobs of `kind` whose payload holds every one of `fragments`, oldest first.
    Status findJobs(const std::string& kind, const std::vector<std::string>& fragments,
                    std::vector<JobRecord>& jobs);

    // --- login bans (CatalogBans.cpp)
    // Adds or replaces the ban of ban.kind/ban.subject; expired bans go.
    Status addLoginBan(const LoginBan& ban);
    // The ban in force now on the address or the account that is longest
    // ("" for none). NotFound when neither is banned.
    Status findLoginBan(const std::string& address, const std::string& account, LoginBan& ban);
    // The bans in force now, address bans first.
    Status listLoginBans(std::vector<LoginBan>& bans);
    // NotFound when that subject has no ban in force.
    Status removeLoginBan(const std::string& kind, const std::string& subject);

    // --- sites and forwards (CatalogSites.cpp)
    // Exists when the name is taken.
    Status addSite(const SiteRecord& site);
    Status findSite(const std::string& name, SiteRecord& site);
    Status listSites(std::vector<SiteRecord>& sites);
    // NotFound when there is no such site; forwards already made stay as history.
    Status removeSite(const std::string& name);
    // Marks the package's forward to `site` queued and queues a `forward` job
    // with `payload`, in one transaction. When that forward is already queued
    // or running, nothing changes and `queued` is false.
    Status queueForward(int64_t packageId, const std::string& site, const std::string& payload,
                        bool& queued);
    // Records a forward's progress or result. `attempt`: one attempt more.
    Status updateForward(int64_t packageId, const std::string& site, const std::string& state,
                         uint64_t bytesDone, uint64_t bytesTotal, const std::string& error,
                         bool attempt);
    // Records the withdrawal at the far side of a forward already made
    // (ForwardRecord::withdrawal).
    Status updateWithdrawal(int64_t packageId, const std::string& site,
                            const std::string& withdrawal, const std::string& error);
    Status listForwards(int64_t packageId, std::vector<ForwardRecord>& forwards);

    // --- address-book groups (CatalogGroups.cpp). `ownerId` absent: the site's.
    // Names and members are checked (Addresses.h; accounts and groups must
    // exist, a personal group may name its owner's and the site's groups, a
    // site group only site groups); a member group that would make a cycle or
    // nest deeper than kMaxGroupDepth is refused. Exists/NotFound/InvalidArgument.
    static constexpr int kMaxGroupDepth = 8;
    static constexpr size_t kMaxGroupMembers = 1000;  // in one expansion
    Status createGroup(GroupRecord& group);
    Status removeGroup(const std::string& name, std::optional<int64_t> ownerId);
    // Exactly the group of that owner (no shadowing).
    Status findGroup(const std::string& name, std::optional<int64_t> ownerId, GroupRecord& group);
    Status listGroups(std::optional<int64_t> ownerId, std::vector<GroupRecord>& groups);
    Status addGroupMembers(const std::string& name, std::optional<int64_t> ownerId,
                           const std::vector<std::string>& members);
    // NotFound when a member is not in the group (nothing removed then).
    Status removeGroupMembers(const std::string& name, std::optional<int64_t> ownerId,
                              const std::vector<std::string>& members);
    // The addresses group `name` stands for as `viewerId` sees it (its own
    // group first, else the site's; absent viewer: the site's): nested groups
    // expanded depth-first, each address once, in order. NotFound for an
    // unknown group; InvalidArgument for a cycle, depth or size past the limits.
    Status expandGroup(const std::string& name, std::optional<int64_t> viewerId,
                       std::vector<std::string>& addresses);

    Db& db() { return *db_; }

private:
    std::unique_ptr<Db> db_;
};

int64_t nowSeconds();

}  // namespace dad
