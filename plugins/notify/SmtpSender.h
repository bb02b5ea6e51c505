// SmtpSender: MailSender over SMTP with Poco (SMTPClientSession,
// SecureSMTPClientSession): plain, STARTTLS or implicit TLS, optional AUTH
// PLAIN. Certificates are verified (against caFile, or the system's CAs)
// unless verifyTls is false. The password is never logged or put in a
// Status. One connection per message; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "MailSender.h"

namespace dad {

struct SmtpOptions {
    std::string host;
    uint16_t port = 25;
    std::string tls = "none";  // none, starttls, implicit
    std::string user;          // "" for no authentication
    std::string password;      // read from smtp.password_file
    std::string from;
    std::string caFile;  // "" for the system's CAs
    bool verifyTls = true;
    int timeoutSeconds = 30;
};

class SmtpSender : public MailSender {
public:
    // Invalid when tls is not one of the three or from/host are empty.
    static Status create(SmtpOptions options, std::unique_ptr<MailSender>& sender);
    Status send(const MailMessage& message) override;

private:
    explicit SmtpSender(SmtpOptions options) : options_(std::move(options)) {}
    SmtpOptions options_;
};

}  // namespace dad
