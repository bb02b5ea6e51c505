#include "MailTemplates.h"

#include <fstream>
#include <sstream>

namespace dad {

namespace {

// The defaults, the same as packaging/templates/*.txt.
const std::map<std::string, std::string>& builtIns() {
    static const std::map<std::string, std::string> texts = {
        {"package_received",
         "Subject: {{sender}} sent you files: {{package}}\n\n"
         "{{sender}} ({{sender_email}}) sent you a package.\n\n"
         "Message:\n{{message}}\n\nFiles:\n{{files}}\n"
         "Expires: {{expiry}}\n\nDownload: {{link}}\n\nPackage ID: {{pid}}\n"},
        {"package_sent",
         "Subject: Package {{pid}} sent: {{package}}\n\n"
         "Your package {{package}} was sent.\n\nPackage ID: {{pid}}\nRecipients: {{recipients}}\n"
         "Files:\n{{files}}\nExpires: {{expiry}}\nLink: {{link}}\n"},
        {"download_receipt",
         "Subject: {{downloader}} downloaded {{package}}\n\n"
         "{{downloader}} downloaded every file of your package {{package}} ({{pid}}) on "
         "{{time}}.\n"},
        {"receipt_digest",
         "Subject: Downloads of your packages\n\nSince the last summary:\n{{lines}}\n"},
        {"quota_warning",
         "Subject: Storage quota: {{percent}} used\n\n"
         "The storage used by {{scope}} has reached {{percent}} of its quota.\n"},
        {"policy_message", "Subject: {{subject}}\n\n{{text}}\n"},
    };
    return texts;
}

}  // namespace

std::string MailTemplates::substitute(const std::string& text,
                                      const std::map<std::string, std::string>& values) {
    std::string out;
    size_t at = 0;
    while (at < text.size()) {
        const size_t open = text.find("{{", at);
        if (open == std::string::npos) break;
        const size_t close = text.find("}}", open + 2);
        if (close == std::string::npos) break;
        out.append(text, at, open - at);
        auto it = values.find(text.substr(open + 2, close - open - 2));
        if (it != values.end()) out += it->second;
        at = close + 2;
    }
    out.append(text, at, std::string::npos);
    return out;
}

Status MailTemplates::render(const std::string& name,
                             const std::map<std::string, std::string>& values, std::string& subject,
                             std::string& body) const {
    std::string text;
    std::ifstream file(directory_ + "/" + name + ".txt", std::ios::binary);
    if (!directory_.empty() && file) {
        std::ostringstream read;
        read << file.rdbuf();
        text = read.str();
    } else {
        auto it = builtIns().find(name);
        if (it == builtIns().end()) return Status::notFound("no mail template " + name);
        text = it->second;
    }
    const std::string prefix = "Subject:";
    const size_t end = text.find('\n');
    if (text.compare(0, prefix.size(), prefix) != 0 || end == std::string::npos) {
        return Status::invalid("mail template " + name + " does not start with a Subject: line");
    }
    subject = substitute(text.substr(prefix.size(), end - prefix.size()), values);
    while (!subject.empty() && (subject.front() == ' ' || subject.front() == '\t'))
        subject.erase(0, 1);
    while (!subject.empty() && (subject.back() == '\r' || subject.back() == ' '))
        subject.pop_back();
    // One line only: a value can never add headers.
    for (char& c : subject) {
        if (c == '\r' || c == '\n') c = ' ';
    }
    size_t start = end + 1;
    if (start < text.size() && text[start] == '\r') ++start;
    if (start < text.size() && text[start] == '\n') ++start;
    body = substitute(text.substr(start), values);
    return Status::ok();
}

}  // namespace dad
