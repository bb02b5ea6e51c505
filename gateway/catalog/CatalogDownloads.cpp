// Downloads: what each file served, to whom, and the limit in bytes.
#include <algorithm>

#include "Catalog.h"
#include "CatalogRows.h"

namespace dad {

using namespace catalog_rows;

namespace {

// The downloads of one file by the same recipient as download `row` (an
// account, or a visitor of the link by address): a WHERE clause, its
// parameters appended to `params`. Columns: node_id, account_id, remote_address.
std::string sameRecipient(const SqlRow& row, std::vector<SqlValue>& params) {
    params.emplace_back(row.integer(0));
    if (!row.isNull(1)) {
        params.emplace_back(row.integer(1));
        return "node_id = ? AND account_id = ?";
    }
    params.emplace_back(row.text(2));
    return "node_id = ? AND account_id IS NULL AND remote_address = ?";
}

uint64_t sum(SqlRunner& sql, const std::string& column, const std::string& where,
             const std::vector<SqlValue>& params) {
    return static_cast<uint64_t>(
        sql.queryOne("SELECT COALESCE(sum(" + column + "), 0) FROM download WHERE " + where, params)
            ->integer(0));
}

Status limitReached(int64_t maxDownloads) {
    return Status::denied("this file has been downloaded the " + std::to_string(maxDownloads) +
                          " time(s) its sender allowed");
}

}  // namespace

Status Catalog::startDownload(DownloadRecord& d) {
    return db_->transaction([&](SqlRunner& sql) {
        auto row = sql.queryOne(
            "SELECT k.state, k.max_downloads, n.size FROM package k LEFT JOIN node n ON n.id = ? "
            "WHERE k.id = ?",
            {d.nodeId, d.packageId});
        if (!row || row->isNull(2) || (row->text(0) != "sent" && row->text(0) != "draft")) {
            return Status::denied("the package is no longer available");
        }
        if (!row->isNull(1)) {
            const int64_t max = row->integer(1);
            const auto budget = static_cast<uint64_t>(max) * static_cast<uint64_t>(row->integer(2));
            // Nothing left for anyone (the allowance is for a recipient part-way through).
            if (sum(sql, "charged", "node_id = ?", {d.nodeId}) >= budget && budget > 0) {
                return limitReached(max);
            }
        }
        d.started = nowSeconds();
        d.id = sql.queryOne(
                      "INSERT INTO download (package_id, node_id, path, account_id, "
                      "remote_address, protocol, started, start_offset) VALUES (?, ?, ?, "
                      "?, ?, ?, ?, ?) RETURNING id",
                      {d.packageId, d.nodeId, d.path, nullable(d.accountId), d.remoteAddress,
                       d.protocol, d.started, static_cast<int64_t>(d.startOffset)})
                   ->integer(0);
        return Status::ok();
    });
}

Status Catalog::chargeDownload(int64_t id, uint64_t offset, uint64_t wanted, uint64_t& granted) {
    granted = 0;
    return db_->transaction([&](SqlRunner& sql) {
        auto row = sql.queryOne(
            "SELECT d.node_id, d.account_id, d.remote_address, d.finished, k.state, "
            "k.max_downloads, n.size FROM download d JOIN package k ON k.id = d.package_id "
            "LEFT JOIN node n ON n.id = d.node_id WHERE d.id = ?",
            {id});
        if (!row) return Status::notFound("no download #" + std::to_string(id));
        if (!row->isNull(3)) return Status::invalid("the download has ended");
        // Withdrawn or expired while this download runs: it stops here.
        if (row->isNull(6) || (row->text(4) != "sent" && row->text(4) != "draft")) {
            return Status::denied("the package is no longer available");
        }
        uint64_t grant = wanted;
        if (!row->isNull(5)) {
            const int64_t max = row->integer(5);
            const auto size = static_cast<uint64_t>(row->integer(6));
            std::vector<SqlValue> params;
            const std::string mine = sameRecipient(*row, params);
            uint64_t cap = static_cast<uint64_t>(max) * size;
            // A recipient starting again after a download of theirs ended.
            if (sum(sql, "charged", mine + " AND finished IS NOT NULL", params) > 0) {
                cap += std::min(kRestartAllowanceBytes, size / 4);
            }
            const uint64_t total = sum(sql, "charged", "node_id = ?", {row->integer(0)});
            grant = std::min(wanted, cap > total ? cap - total : 0);
            if (grant == 0 && wanted > 0) return limitReached(max);
        }
        sql.execute(
            "UPDATE download SET start_offset = CASE WHEN charged = 0 THEN ? ELSE start_offset "
            "END, charged = charged + ? WHERE id = ?",
            {static_cast<int64_t>(offset), static_cast<int64_t>(grant), id});
        granted = grant;
        return Status::ok();
    });
}

Status Catalog::finishDownload(int64_t id, uint64_t bytes, uint64_t fileSize, bool& complete,
                               bool refund) {
    complete = false;
    return db_->transaction([&](SqlRunner& sql) {
        auto row = sql.queryOne(
            "SELECT d.node_id, d.account_id, d.remote_address, d.finished, d.charged, "
            "d.start_offset, k.origin_sender IS NOT NULL FROM download d JOIN package k ON k.id "
            "= d.package_id WHERE d.id = ?",
            {id});
        if (!row) return Status::notFound("no download #" + std::to_string(id));
        if (!row->isNull(3)) return Status::ok();
        std::vector<SqlValue> params;
        const std::string mine = sameRecipient(*row, params);
        params.emplace_back(id);
        const uint64_t before =
            sum(sql, "bytes", mine + " AND finished IS NOT NULL AND id <> ?", params);
        // A download counts when what this recipient was served of the file,
        // over all its downloads, reaches its size once more.
        complete = fileSize == 0 ? true : (before + bytes) / fileSize > before / fileSize;
        // A package forwarded by a peer: the first part of a download may have
        // been served at the origin, so serving all from where it started counts.
        const auto start = static_cast<uint64_t>(row->integer(5));
        if (row->integer(6) != 0 && start > 0 && bytes >= fileSize - std::min(start, fileSize)) {
            complete = true;
        }
        const auto charged = static_cast<uint64_t>(row->integer(4));
        const uint64_t kept = refund ? bytes : std::max(bytes, charged);
        sql.execute(
            "UPDATE download SET finished = ?, bytes = ?, charged = ?, complete = ? WHERE id = ?",
            {nowSeconds(), static_cast<int64_t>(bytes), static_cast<int64_t>(kept),
             int64_t{complete ? 1 : 0}, id});
        return Status::ok();
    });
}

Status Catalog::listDownloads(int64_t packageId, std::vector<DownloadRecord>& downloads) {
    return db_->read([&](SqlRunner& sql) {
        downloads.clear();
        for (const SqlRow& row : sql.query(
                 "SELECT d.id, d.package_id, d.node_id, d.path, d.account_id, a.name, "
                 "d.remote_address, d.protocol, d.started, d.finished, d.start_offset, d.bytes, "
                 "d.complete, d.charged FROM download d LEFT JOIN account a ON a.id = "
                 "d.account_id WHERE d.package_id = ? ORDER BY d.id",
                 {packageId})) {
            DownloadRecord d;
            d.id = row.integer(0);
            d.packageId = row.integer(1);
            d.nodeId = row.integer(2);
            d.path = row.text(3);
            d.accountId = row.optionalInteger(4);
            d.accountName = row.text(5);
            d.remoteAddress = row.text(6);
            d.protocol = row.text(7);
            d.started = row.integer(8);
            d.finished = row.optionalInteger(9);
            d.startOffset = static_cast<uint64_t>(row.integer(10));
            d.bytes = static_cast<uint64_t>(row.integer(11));
            d.complete = row.integer(12) != 0;
            d.charged = static_cast<uint64_t>(row.integer(13));
            downloads.push_back(d);
        }
        return Status::ok();
    });
}

Status Catalog::closeInterruptedDownloads() {
    return db_->transaction([&](SqlRunner& sql) {
        // What they were charged may have been served: it stays charged.
        sql.execute("UPDATE download SET finished = ?, complete = 0 WHERE finished IS NULL",
                    {nowSeconds()});
        return Status::ok();
    });
}

Status Catalog::servedBytes(int64_t nodeId, uint64_t& bytes) {
    return db_->read([&](SqlRunner& sql) {
        bytes = sum(sql, "charged", "node_id = ? AND finished IS NOT NULL", {nodeId});
        return Status::ok();
    });
}

}  // namespace dad
