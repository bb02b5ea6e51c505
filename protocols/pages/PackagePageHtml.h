// PackagePageHtml: the HTML of the package pages. Pure: values in, a page
// out; every value is escaped. The pages use no script and no external
// resource (the Content-Security-Policy allows neither), only inline style.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dad {

struct PageFile {
    std::string path;
    uint64_t size = 0;
    std::string sha256;
    std::string href;
};

struct PackageView {
    std::string name;
    std::string pid;
    std::string sender;
    std::string message;
    bool draft = false;        // still being filled
    std::string expiry;        // a sentence, "" when none
    std::string downloadRule;  // a sentence, "" when none
    std::vector<PageFile> files;
    std::string zipHref;       // "" when there is nothing to zip
    std::string returnAction;  // "" when returning is not possible
    std::string formToken;
    uint64_t maxReturnBytes = 0;
    std::string notice;  // a line shown on top ("" for none)
};

std::string packagePageHtml(const PackageView& view);
// The password prompt; `error` is shown when not empty.
std::string passwordPageHtml(const std::string& action, const std::string& error);
// A page with a title and one paragraph (404, 410, 429, errors).
std::string messagePageHtml(const std::string& title, const std::string& text);

// "1.5 MiB" and the like.
std::string humanSize(uint64_t bytes);

}  // namespace dad
