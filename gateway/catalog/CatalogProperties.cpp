// WebDAV dead properties of nodes (schema version 2).
#include "Catalog.h"

namespace dad {

Status Catalog::listDeadProperties(int64_t nodeId, std::vector<DeadProperty>& properties) {
    return db_->read([&](SqlRunner& sql) {
        properties.clear();
        for (const SqlRow& row :
             sql.query("SELECT namespace, name, value FROM dead_property WHERE node_id = ? "
                       "ORDER BY namespace, name",
                       {nodeId})) {
            properties.push_back({row.text(0), row.text(1), row.text(2)});
        }
        return Status::ok();
    });
}

Status Catalog::listChildDeadProperties(
    int64_t parentId, std::vector<std::pair<std::string, DeadProperty>>& properties) {
    return db_->read([&](SqlRunner& sql) {
        properties.clear();
        for (const SqlRow& row :
             sql.query("SELECT n.name, p.namespace, p.name, p.value FROM node n "
                       "JOIN dead_property p ON p.node_id = n.id WHERE n.parent_id = ? "
                       "ORDER BY n.name, p.namespace, p.name",
                       {parentId})) {
            properties.push_back({row.text(0), {row.text(1), row.text(2), row.text(3)}});
        }
        return Status::ok();
    });
}

Status Catalog::changeDeadProperties(int64_t nodeId,
                                     const std::vector<std::pair<DeadProperty, bool>>& changes) {
    return db_->transaction([&](SqlRunner& sql) {
        if (!sql.queryOne("SELECT id FROM node WHERE id = ?", {nodeId})) {
            return Status::notFound("no such file or folder");
        }
        for (const auto& [property, set] : changes) {
            if (set) {
                sql.execute(
                    "INSERT INTO dead_property (node_id, namespace, name, value) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (node_id, namespace, name) "
                    "DO UPDATE SET value = excluded.value",
                    {nodeId, property.ns, property.name, property.value});
            } else {
                sql.execute(
                    "DELETE FROM dead_property WHERE node_id = ? AND namespace = ? AND name = ?",
                    {nodeId, property.ns, property.name});
            }
        }
        return Status::ok();
    });
}

Status Catalog::copyDeadProperties(int64_t fromNode, int64_t toNode) {
    return db_->transaction([&](SqlRunner& sql) {
        sql.execute("DELETE FROM dead_property WHERE node_id = ?", {toNode});
        sql.execute(
            "INSERT INTO dead_property (node_id, namespace, name, value) "
            "SELECT ?, namespace, name, value FROM dead_property WHERE node_id = ?",
            {toNode, fromNode});
        return Status::ok();
    });
}

}  // namespace dad
