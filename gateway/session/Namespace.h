// Namespace: where a virtual path of one account points, per DESIGN.md:
//   /files/...              the account's own tree (writable)
//   /outbox/<draft>/...     drafts (writable); <draft>/.link generated
//   /sent/<package>/...     sent packages (read-only); .link and .status generated
//   /inbox/<package>/...    received packages (read-only; reading counts a download)
//   /inbox/<package>/reply/ writable: becomes a package returned to the sender
//   /fetch/<name>.fetch     fetch requests (FetchArea): uploaded, shown as their status
// It only finds things; GatewaySession decides what may be done with them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "Catalog.h"
#include "Status.h"

namespace dad {

class Gateway;

enum class Area { Root, Files, Outbox, Sent, Inbox, Fetch };

struct Place {
    enum class Kind {
        Root,        // "/"
        AreaDir,     // "/files", "/outbox", "/sent", "/inbox"
        Node,        // an existing file or folder (node)
        Missing,     // a free name in an existing folder (`parent`, `name`)
        NewDraft,    // "/outbox/<free name>"
        Generated,   // .link, .status or a fetch request's status (content in `generated`)
        EmptyReply,  // "/inbox/<package>/reply" before anything was returned
    };
    Kind kind = Kind::Root;
    Area area = Area::Root;
    std::string name;                      // last component
    NodeRecord node;                       // Node: the node; Missing: unset
    int64_t parentNode = 0;                // Missing: the folder the name would go into
    std::optional<PackageRecord> package;  // the package the place belongs to
    bool packageRoot = false;              // node is the root folder of `package`
    bool writable = false;                 // this account may change what is here
    bool inReply = false;                  // under /inbox/<package>/reply
    // In a package withdrawn from /sent or removed from this /inbox: its
    // folder is still there, empty (anything below is Missing), so that the
    // rest of a client's recursive delete finds it and succeeds.
    bool gone = false;
    std::optional<PackageRecord> original;  // inReply: the package being answered
    std::string generated;
    int64_t generatedTime = 0;  // Generated outside a package: its modification time
    // The account's own unfinished upload at this name, if any (Missing only).
    std::optional<UploadRecord> upload;

    bool isDirectory() const {
        return kind == Kind::Root || kind == Kind::AreaDir || kind == Kind::EmptyReply ||
               (kind == Kind::Node && node.isDir);
    }
};

class Namespace {
public:
    Namespace(Gateway& gateway, const AccountRecord& account);

    // Finds what `path` (normalized) points to. NotFound when a folder on the
    // way does not exist.
    Status resolve(const std::string& path, Place& place);

    // The generated .link and .status texts of a package.
    std::string linkText(const PackageRecord& package) const;
    std::string statusText(const PackageRecord& package);

    // Whether an inbox package is past its expiry (and marks it expired).
    bool expired(const PackageRecord& package);

    static bool isGeneratedName(const std::string& name) {
        return name == ".link" || name == ".status";
    }
    // Whether `name` at the root of a package in `area` is a generated file.
    static bool isGeneratedIn(Area area, const std::string& name) {
        return (name == ".link" && (area == Area::Outbox || area == Area::Sent)) ||
               (name == ".status" && area == Area::Sent);
    }
    // Whether `name` in the stored folder `folder` (a resolved Node) is its
    // child node of that name, not a generated file, an inbox package's hidden
    // .dad or its reply folder.
    static bool childIsNode(const Place& folder, const std::string& name) {
        if (!folder.packageRoot) return true;
        if (isGeneratedIn(folder.area, name)) return false;
        const bool received = folder.area == Area::Inbox && !folder.inReply;
        return !(received && (name == ".dad" || name == "reply"));
    }

private:
    // A package withdrawn or removed from the inbox (Place::gone).
    Status resolveGone(const PackageRecord& package, const std::vector<std::string>& rest,
                       Place& place);
    Status resolvePackageTree(const PackageRecord& package, Area area, bool writable,
                              const std::vector<std::string>& rest, Place& place);

    Gateway& gateway_;
    const AccountRecord& account_;
};

}  // namespace dad
