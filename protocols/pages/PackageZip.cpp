#include "PackageZip.h"

#include <dirent.h>
#include <unistd.h>
#include <zip.h>

#include "Secrets.h"

namespace dad {

namespace {

std::string zipError(zip_t* archive) {
    const char* text = zip_strerror(archive);
    return text ? text : "unknown zip error";
}

}  // namespace

Status writeStoredZip(const std::string& directory, const std::vector<ZipEntry>& entries,
                      std::string& path) {
    if (entries.empty()) return Status::invalid("nothing to put into the zip");
    path = directory + "/zip-" + randomToken(12) + ".zip";
    int error = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_EXCL, &error);
    if (!archive) {
        zip_error_t e;
        zip_error_init_with_code(&e, error);
        Status s = Status::ioError(std::string("cannot create the zip: ") + zip_error_strerror(&e));
        zip_error_fini(&e);
        return s;
    }
    for (const ZipEntry& entry : entries) {
        // The source opens its file when the archive is written, in zip_close.
        zip_source_t* source = zip_source_file(archive, entry.sourcePath.c_str(), 0, -1);
        if (!source) {
            Status s =
                Status::ioError("cannot add " + entry.name + " to the zip: " + zipError(archive));
            zip_discard(archive);
            return s;
        }
        const zip_int64_t index =
            zip_file_add(archive, entry.name.c_str(), source, ZIP_FL_ENC_UTF_8);
        if (index < 0) {
            zip_source_free(source);
            Status s =
                Status::ioError("cannot add " + entry.name + " to the zip: " + zipError(archive));
            zip_discard(archive);
            return s;
        }
        const auto i = static_cast<zip_uint64_t>(index);
        if (zip_set_file_compression(archive, i, ZIP_CM_STORE, 0) != 0 ||
            zip_file_set_mtime(archive, i, static_cast<time_t>(entry.mtime), 0) != 0) {
            Status s = Status::ioError("cannot set up the zip: " + zipError(archive));
            zip_discard(archive);
            return s;
        }
    }
    if (zip_close(archive) != 0) {
        Status s = Status::ioError("cannot write the zip: " + zipError(archive));
        zip_discard(archive);
        ::unlink(path.c_str());
        return s;
    }
    return Status::ok();
}

void removeStaleZips(const std::string& directory) {
    DIR* dir = ::opendir(directory.c_str());
    if (!dir) return;
    while (dirent* e = ::readdir(dir)) {
        const std::string name = e->d_name;
        if (name.compare(0, 4, "zip-") == 0) ::unlink((directory + "/" + name).c_str());
    }
    ::closedir(dir);
}

}  // namespace dad
