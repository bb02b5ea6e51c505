#include "SmtpSender.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureSMTPClientSession.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <memory>
#include <mutex>

namespace dad {

namespace {

Poco::Net::Context::Ptr clientContext(const SmtpOptions& o) {
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Net::initializeSSL();
        // A certificate that fails verification is refused, never prompted for.
        Poco::SharedPtr<Poco::Net::InvalidCertificateHandler> reject(
            new Poco::Net::RejectCertificateHandler(false));
        Poco::Net::Context::Ptr defaults =
            new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                   Poco::Net::Context::VERIFY_RELAXED, 9, true);
        Poco::Net::SSLManager::instance().initializeClient(nullptr, reject, defaults);
    });
    return new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", "", o.caFile,
        o.verifyTls ? Poco::Net::Context::VERIFY_RELAXED : Poco::Net::Context::VERIFY_NONE, 9,
        o.caFile.empty());
}

void fillMail(Poco::Net::MailMessage& mail, const SmtpOptions& o, const MailMessage& m) {
    mail.setSender(o.from);
    mail.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, m.to));
    mail.setSubject(Poco::Net::MailMessage::encodeWord(m.subject, "UTF-8"));
    mail.setContentType("text/plain; charset=UTF-8");
    mail.setContent(m.body, Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
}

void authenticate(Poco::Net::SMTPClientSession& session, const SmtpOptions& o) {
    if (o.user.empty()) {
        session.login();
    } else {
        session.login(Poco::Net::SMTPClientSession::AUTH_PLAIN, o.user, o.password);
    }
}

// A socket whose connect, TLS handshake and every read and write are bounded by
// smtp.timeout_seconds: a mail server that stops answering fails the attempt
// (and the job is retried) instead of holding a job thread for ever.
Poco::Net::StreamSocket boundedSocket(const SmtpOptions& o) {
    const Poco::Timespan timeout(o.timeoutSeconds, 0);
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress(o.host, o.port), timeout);
    socket.setReceiveTimeout(timeout);
    socket.setSendTimeout(timeout);
    return socket;
}

void sendOn(Poco::Net::SMTPClientSession& session, const SmtpOptions& o,
            const Poco::Net::MailMessage& mail) {
    session.setTimeout(Poco::Timespan(o.timeoutSeconds, 0));
    authenticate(session, o);
    session.sendMessage(mail);
    session.close();
}

}  // namespace

Status SmtpSender::create(SmtpOptions options, std::unique_ptr<MailSender>& sender) {
    if (options.host.empty()) return Status::invalid("smtp.host is not set");
    if (options.from.empty()) return Status::invalid("smtp.from is not set");
    if (options.tls != "none" && options.tls != "starttls" && options.tls != "implicit") {
        return Status::invalid("smtp.tls must be none, starttls or implicit, not '" + options.tls +
                               "'");
    }
    if (options.timeoutSeconds < 1)
        return Status::invalid("smtp.timeout_seconds must be at least 1");
    sender.reset(new SmtpSender(std::move(options)));
    return Status::ok();
}

Status SmtpSender::send(const MailMessage& message) {
    const SmtpOptions& o = options_;
    try {
        Poco::Net::MailMessage mail;
        fillMail(mail, o, message);
        if (o.tls == "implicit") {
            Poco::Net::SecureStreamSocket socket =
                Poco::Net::SecureStreamSocket::attach(boundedSocket(o), o.host, clientContext(o));
            Poco::Net::SMTPClientSession session(socket);
            sendOn(session, o, mail);
        } else if (o.tls == "starttls") {
            Poco::Net::SecureSMTPClientSession session(boundedSocket(o));
            session.login();
            if (!session.startTLS(clientContext(o))) {
                return Status::failure("smtp: " + o.host + " does not offer STARTTLS");
            }
            sendOn(session, o, mail);
        } else {
            Poco::Net::SMTPClientSession session(boundedSocket(o));
            sendOn(session, o, mail);
        }
    } catch (const Poco::Exception& e) {
        return Status::ioError("smtp " + o.host + ":" + std::to_string(o.port) + ": " +
                               e.displayText());
    } catch (const std::exception& e) {
        return Status::ioError("smtp " + o.host + ":" + std::to_string(o.port) + ": " + e.what());
    }
    return Status::ok();
}

}  // namespace dad
