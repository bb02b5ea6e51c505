#include "Session.h"

namespace dad {

Status makeParentDirectories(Session& session, const std::string& path) {
    const size_t last = path.rfind('/');
    for (size_t slash = path.find('/', 1); slash != std::string::npos && slash <= last;
         slash = path.find('/', slash + 1)) {
        const std::string folder = path.substr(0, slash);
        FileInfo info;
        const Status found = session.stat(folder, info);
        if (found) continue;
        if (found.code() != StatusCode::NotFound) return found;
        if (Status s = session.makeDirectory(folder); !s) return s;
    }
    return Status::ok();
}

}  // namespace dad
