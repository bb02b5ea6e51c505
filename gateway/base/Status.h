// Status: the one error type of dadgate. Errors travel as values; protocols map
// a StatusCode to their own reply (SFTP status, FTP reply code, HTTP status).
#pragma once

#include <string>
#include <utility>

namespace dad {

enum class StatusCode {
    Ok,
    NotFound,          // no such file, account or package
    Exists,            // the target name is taken
    PermissionDenied,  // the namespace or a policy does not allow it
    NotADirectory,
    IsADirectory,
    NotEmpty,
    InvalidArgument,  // malformed name, manifest or request
    QuotaExceeded,
    Busy,         // someone else holds it (for example an upload in progress)
    Unsupported,  // the operation does not exist in this namespace
    IoError,      // the disk or the catalog failed
    Failure,      // anything else
};

class Status {
public:
    Status() = default;
    static Status ok() { return Status(); }
    static Status error(StatusCode code, std::string message) {
        return Status(code, std::move(message));
    }
    static Status notFound(std::string m) { return error(StatusCode::NotFound, std::move(m)); }
    static Status exists(std::string m) { return error(StatusCode::Exists, std::move(m)); }
    static Status denied(std::string m) {
        return error(StatusCode::PermissionDenied, std::move(m));
    }
    static Status invalid(std::string m) {
        return error(StatusCode::InvalidArgument, std::move(m));
    }
    static Status ioError(std::string m) { return error(StatusCode::IoError, std::move(m)); }
    static Status failure(std::string m) { return error(StatusCode::Failure, std::move(m)); }

    bool isOk() const { return code_ == StatusCode::Ok; }
    explicit operator bool() const { return isOk(); }
    StatusCode code() const { return code_; }
    // A sentence for the user, in the gateway's words; never holds a secret.
    const std::string& message() const { return message_; }

private:
    Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

    StatusCode code_ = StatusCode::Ok;
    std::string message_;
};

}  // namespace dad
