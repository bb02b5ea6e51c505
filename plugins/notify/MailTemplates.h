// MailTemplates: the texts of notification mails, from files the admin can
// edit (<dir>/<name>.txt) with built-in defaults when a file is missing.
// A template's first line is "Subject: ...", then a blank line, then the
// body. {{name}} is replaced by the value of `name` ("" when unknown); no
// other syntax. Thread-safe (files are read on each render, so edits apply
// without a restart).
#pragma once

#include <map>
#include <string>

#include "Status.h"

namespace dad {

class MailTemplates {
public:
    explicit MailTemplates(std::string directory) : directory_(std::move(directory)) {}
    // Renders template `name`; NotFound when there is neither a file nor a
    // built-in of that name, Invalid when the file has no Subject line.
    Status render(const std::string& name, const std::map<std::string, std::string>& values,
                  std::string& subject, std::string& body) const;

    // {{name}} replaced by values (exposed for tests).
    static std::string substitute(const std::string& text,
                                  const std::map<std::string, std::string>& values);

private:
    std::string directory_;
};

}  // namespace dad
