// PackageZip: "download all" of a package as a zip, built with libzip from
// the blob files on disk into a temporary file, so a package of any size is
// never held in memory. Entries are stored (no compression: the content is
// often compressed already, and storing costs one sequential copy); libzip
// switches to Zip64 by itself past 4 GiB or 65,535 entries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "Status.h"

namespace dad {

struct ZipEntry {
    std::string name;        // path inside the archive, '/'-separated
    std::string sourcePath;  // the file whose bytes are stored
    int64_t mtime = 0;       // seconds since the epoch
};

// Writes a zip of `entries` to a new file "zip-<random>.zip" in `directory`
// and names it in `path`. REQUIRES: entries not empty, names unique. On
// failure nothing is left behind. The caller removes the file when done.
Status writeStoredZip(const std::string& directory, const std::vector<ZipEntry>& entries,
                      std::string& path);

// Removes the zip files a previous process left in `directory` (a crash
// while one was being sent).
void removeStaleZips(const std::string& directory);

}  // namespace dad
