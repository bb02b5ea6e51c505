// Address-book groups: site-wide or personal, members in the order added,
// nested groups expanded depth-first with bounds on depth and size.
#include <algorithm>
#include <set>

#include "Addresses.h"
#include "Catalog.h"
#include "CatalogRows.h"

namespace dad {

namespace {

std::optional<int64_t> groupId(SqlRunner& sql, const std::string& name,
                               std::optional<int64_t> ownerId) {
    auto row =
        ownerId ? sql.queryOne("SELECT id FROM address_group WHERE name = ? AND owner_id = ?",
                               {name, *ownerId})
                : sql.queryOne("SELECT id FROM address_group WHERE name = ? AND owner_id IS NULL",
                               {name});
    if (!row) return std::nullopt;
    return row->integer(0);
}

// "site group @team" or "group @team of alice", for messages.
std::string describe(SqlRunner& sql, const std::string& name, std::optional<int64_t> ownerId) {
    if (!ownerId) return "site group @" + name;
    auto row = sql.queryOne("SELECT name FROM account WHERE id = ?", {*ownerId});
    return "group @" + name + " of " + (row ? row->text(0) : "#" + std::to_string(*ownerId));
}

// The group `name` as `viewer` sees it: the viewer's own, else the site's.
std::optional<int64_t> visibleGroup(SqlRunner& sql, const std::string& name,
                                    std::optional<int64_t> viewer, std::optional<int64_t>& owner) {
    if (viewer) {
        if (auto id = groupId(sql, name, viewer)) {
            owner = viewer;
            return id;
        }
    }
    owner.reset();
    return groupId(sql, name, std::nullopt);
}

struct Expansion {
    SqlRunner& sql;
    std::vector<std::string>& addresses;
    std::set<std::string> seen;
    std::vector<int64_t> path;  // the groups being expanded, outermost first
    std::vector<std::string> pathNames;
};

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& n : names)
        text += (text.empty() ? "@" : " -> @") + n;
    return text;
}

// Nested groups are seen as the group's owner sees them, so a site group
// means the same to everyone.
Status expand(Expansion& e, int64_t id, const std::string& name, std::optional<int64_t> owner) {
    e.pathNames.push_back(name);
    if (std::find(e.path.begin(), e.path.end(), id) != e.path.end()) {
        return Status::invalid("address-book groups form a cycle: " + joined(e.pathNames));
    }
    if (static_cast<int>(e.path.size()) >= Catalog::kMaxGroupDepth) {
        return Status::invalid("address-book groups nested deeper than " +
                               std::to_string(Catalog::kMaxGroupDepth) + ": " +
                               joined(e.pathNames));
    }
    e.path.push_back(id);
    const SqlRows rows = e.sql.query(
        "SELECT member FROM address_group_member WHERE group_id = ? ORDER BY rowid", {id});
    for (const SqlRow& row : rows) {
        const std::string member = row.text(0);
        std::string nested;
        if (isGroupReference(member, &nested)) {
            std::optional<int64_t> nestedOwner;
            const auto nestedId = visibleGroup(e.sql, nested, owner, nestedOwner);
            if (!nestedId) {
                return Status::notFound("unknown address-book group @" + nested + " (a member of " +
                                        describe(e.sql, name, owner) + ")");
            }
            if (Status s = expand(e, *nestedId, nested, nestedOwner); !s) return s;
        } else if (e.seen.insert(member).second) {
            if (e.addresses.size() >= Catalog::kMaxGroupMembers) {
                return Status::invalid("address-book group @" + e.pathNames.front() +
                                       " stands for more than " +
                                       std::to_string(Catalog::kMaxGroupMembers) + " addresses");
            }
            e.addresses.push_back(member);
        }
    }
    e.path.pop_back();
    e.pathNames.pop_back();
    return Status::ok();
}

// Every group must still expand after a change (no cycle, no missing
// member group, within the limits); otherwise the change is refused.
Status checkAllGroups(SqlRunner& sql) {
    for (const SqlRow& row : sql.query("SELECT id, name, owner_id FROM address_group")) {
        std::vector<std::string> addresses;
        Expansion e{sql, addresses, {}, {}, {}};
        if (Status s = expand(e, row.integer(0), row.text(1), row.optionalInteger(2)); !s) {
            return s;
        }
    }
    return Status::ok();
}

Status checkMember(SqlRunner& sql, const std::string& member, std::optional<int64_t> ownerId) {
    std::string nested;
    if (isGroupReference(member, &nested)) {
        std::optional<int64_t> owner;
        if (!visibleGroup(sql, nested, ownerId, owner)) {
            return Status::notFound("unknown address-book group @" + nested +
                                    (ownerId ? "" : " (a site group may only name site groups)"));
        }
        return Status::ok();
    }
    if (isEmailAddress(member)) return Status::ok();
    if (member.find('@') == std::string::npos &&
        sql.queryOne("SELECT id FROM account WHERE name = ?", {member})) {
        return Status::ok();
    }
    return Status::invalid("'" + member +
                           "' is not an account, an e-mail address or a group (@name)");
}

Status addMembers(SqlRunner& sql, int64_t id, std::optional<int64_t> ownerId,
                  const std::vector<std::string>& members) {
    for (const std::string& member : members) {
        if (Status s = checkMember(sql, member, ownerId); !s) return s;
        sql.execute("INSERT OR IGNORE INTO address_group_member (group_id, member) VALUES (?, ?)",
                    {id, member});
    }
    return checkAllGroups(sql);
}

Status findId(SqlRunner& sql, const std::string& name, std::optional<int64_t> ownerId,
              int64_t& id) {
    const auto found = groupId(sql, name, ownerId);
    if (!found) return Status::notFound("no " + describe(sql, name, ownerId));
    id = *found;
    return Status::ok();
}

}  // namespace

Status Catalog::createGroup(GroupRecord& group) {
    if (!isGroupName(group.name)) {
        return Status::invalid("'" + group.name +
                               "' is not a group name: 1 to 64 letters, digits, '.', '_' or '-', "
                               "starting with a letter or digit");
    }
    return db_->transaction([&](SqlRunner& sql) {
        if (groupId(sql, group.name, group.ownerId)) {
            return Status::exists(describe(sql, group.name, group.ownerId) + " already exists");
        }
        group.created = nowSeconds();
        group.id = sql.queryOne(
                          "INSERT INTO address_group (name, owner_id, created) VALUES (?, ?, ?) "
                          "RETURNING id",
                          {group.name, catalog_rows::nullable(group.ownerId), group.created})
                       ->integer(0);
        return addMembers(sql, group.id, group.ownerId, group.members);
    });
}

Status Catalog::removeGroup(const std::string& name, std::optional<int64_t> ownerId) {
    return db_->transaction([&](SqlRunner& sql) {
        int64_t id = 0;
        if (Status s = findId(sql, name, ownerId, id); !s) return s;
        // Refused while another group names it: say which, not what the
        // other group would lack once it is gone.
        for (const SqlRow& row :
             sql.query("SELECT g.name, g.owner_id FROM address_group_member m JOIN address_group g"
                       " ON g.id = m.group_id WHERE m.member = ? ORDER BY g.id",
                       {"@" + name})) {
            std::optional<int64_t> seenOwner;
            if (visibleGroup(sql, name, row.optionalInteger(1), seenOwner) == id) {
                return Status::error(StatusCode::NotEmpty,
                                     describe(sql, name, ownerId) + " is a member of " +
                                         describe(sql, row.text(0), row.optionalInteger(1)) +
                                         ": remove it from there first");
            }
        }
        sql.execute("DELETE FROM address_group WHERE id = ?", {id});
        return checkAllGroups(sql);
    });
}

Status Catalog::findGroup(const std::string& name, std::optional<int64_t> ownerId,
                          GroupRecord& group) {
    return db_->read([&](SqlRunner& sql) {
        int64_t id = 0;
        if (Status s = findId(sql, name, ownerId, id); !s) return s;
        group = GroupRecord();
        group.id = id;
        group.name = name;
        group.ownerId = ownerId;
        auto row = sql.queryOne(
            "SELECT g.created, a.name FROM address_group g LEFT JOIN account a ON a.id = "
            "g.owner_id WHERE g.id = ?",
            {id});
        group.created = row->integer(0);
        group.ownerName = row->text(1);
        for (const SqlRow& m :
             sql.query("SELECT member FROM address_group_member WHERE group_id = ? ORDER BY rowid",
                       {id})) {
            group.members.push_back(m.text(0));
        }
        return Status::ok();
    });
}

Status Catalog::listGroups(std::optional<int64_t> ownerId, std::vector<GroupRecord>& groups) {
    std::vector<std::string> names;
    Status s = db_->read([&](SqlRunner& sql) {
        const SqlRows rows =
            ownerId
                ? sql.query("SELECT name FROM address_group WHERE owner_id = ? ORDER BY name",
                            {*ownerId})
                : sql.query("SELECT name FROM address_group WHERE owner_id IS NULL ORDER BY name");
        for (const SqlRow& row : rows)
            names.push_back(row.text(0));
        return Status::ok();
    });
    if (!s) return s;
    groups.clear();
    for (const std::string& name : names) {
        GroupRecord group;
        if (Status found = findGroup(name, ownerId, group); found) groups.push_back(group);
    }
    return Status::ok();
}

Status Catalog::addGroupMembers(const std::string& name, std::optional<int64_t> ownerId,
                                const std::vector<std::string>& members) {
    return db_->transaction([&](SqlRunner& sql) {
        int64_t id = 0;
        if (Status s = findId(sql, name, ownerId, id); !s) return s;
        return addMembers(sql, id, ownerId, members);
    });
}

Status Catalog::removeGroupMembers(const std::string& name, std::optional<int64_t> ownerId,
                                   const std::vector<std::string>& members) {
    return db_->transaction([&](SqlRunner& sql) {
        int64_t id = 0;
        if (Status s = findId(sql, name, ownerId, id); !s) return s;
        for (const std::string& member : members) {
            if (sql.execute("DELETE FROM address_group_member WHERE group_id = ? AND member = ?",
                            {id, member}) == 0) {
                return Status::notFound("'" + member + "' is not a member of " +
                                        describe(sql, name, ownerId));
            }
        }
        return Status::ok();
    });
}

Status Catalog::expandGroup(const std::string& name, std::optional<int64_t> viewerId,
                            std::vector<std::string>& addresses) {
    addresses.clear();
    return db_->read([&](SqlRunner& sql) {
        std::optional<int64_t> owner;
        const auto id = visibleGroup(sql, name, viewerId, owner);
        if (!id) return Status::notFound("unknown address-book group @" + name);
        Expansion e{sql, addresses, {}, {}, {}};
        return expand(e, *id, name, owner);
    });
}

}  // namespace dad
