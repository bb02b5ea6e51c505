// MailSender: the small interface the notify workers send mail through, so
// the job logic does not depend on how mail leaves (SMTP today).
#pragma once

#include <string>

#include "Status.h"

namespace dad {

struct MailMessage {
    std::string to;       // one address
    std::string subject;  // UTF-8
    std::string body;     // UTF-8 plain text
};

class MailSender {
public:
    virtual ~MailSender() = default;
    // Ok only once the server accepted the message; a failure is retried by
    // the job queue. Messages never contain secrets.
    virtual Status send(const MailMessage& message) = 0;
};

}  // namespace dad
