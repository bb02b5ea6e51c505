#include "PackagePageHtml.h"

#include <cstdio>

#include "MarkupEscape.h"

namespace dad {

namespace {

const char* const kStyle =
    "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;"
    "color:#222}"
    "h1{font-size:1.4rem}table{border-collapse:collapse;width:100%}"
    "td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd}"
    "td.size{text-align:right;white-space:nowrap}.sha{font-family:monospace;font-size:.75rem;"
    "color:#666;word-break:break-all}"
    ".message{white-space:pre-wrap;background:#f6f6f6;padding:.7rem;border-radius:4px}"
    ".notice{background:#e8f4e8;padding:.5rem;border-radius:4px}"
    ".error{background:#fbe9e9;padding:.5rem;border-radius:4px}"
    "form{margin:1rem 0}.muted{color:#666}";

std::string head(const std::string& title) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<meta name=\"referrer\" content=\"same-origin\">"
           "<title>" +
           escapeMarkup(title) + "</title><style>" + kStyle + "</style></head><body>\n";
}

const char* const kTail = "</body></html>\n";

}  // namespace

std::string humanSize(uint64_t bytes) {
    const char* const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) return std::to_string(bytes) + " bytes";
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
    return text;
}

std::string packagePageHtml(const PackageView& v) {
    std::string html = head(v.name + " — dadgate");
    html += "<h1>" + escapeMarkup(v.name) + "</h1>\n";
    if (!v.notice.empty())
        html += "<p class=\"notice\" id=\"notice\">" + escapeMarkup(v.notice) + "</p>\n";
    html += "<p>From <strong id=\"sender\">" + escapeMarkup(v.sender) +
            "</strong> <span class=\"muted\">(package " + escapeMarkup(v.pid) + ")</span></p>\n";
    if (v.draft) {
        html +=
            "<p class=\"muted\">The sender is still adding files: reload this page to see "
            "new ones.</p>\n";
    }
    if (!v.message.empty()) {
        html += "<div class=\"message\" id=\"message\">" + escapeMarkup(v.message) + "</div>\n";
    }
    if (!v.expiry.empty()) html += "<p id=\"expiry\">" + escapeMarkup(v.expiry) + "</p>\n";
    if (!v.downloadRule.empty()) html += "<p>" + escapeMarkup(v.downloadRule) + "</p>\n";
    uint64_t total = 0;
    html += "<table id=\"files\"><thead><tr><th>File</th><th>Size</th></tr></thead><tbody>\n";
    for (const PageFile& f : v.files) {
        total += f.size;
        html += "<tr><td><a class=\"file\" href=\"" + escapeMarkup(f.href) + "\" download>" +
                escapeMarkup(f.path) + "</a><div class=\"sha\">sha256 " + escapeMarkup(f.sha256) +
                "</div></td><td class=\"size\" data-bytes=\"" + std::to_string(f.size) + "\">" +
                escapeMarkup(humanSize(f.size)) + "</td></tr>\n";
    }
    if (v.files.empty()) html += "<tr><td colspan=\"2\" class=\"muted\">No files yet.</td></tr>\n";
    html += "</tbody></table>\n";
    if (!v.zipHref.empty()) {
        html += "<p><a id=\"zip\" href=\"" + escapeMarkup(v.zipHref) +
                "\" download>Download all as a zip</a> <span class=\"muted\">(" +
                std::to_string(v.files.size()) + " files, " + escapeMarkup(humanSize(total)) +
                ")</span></p>\n";
    }
    if (!v.returnAction.empty()) {
        html +=
            "<h2>Return a file to the sender</h2>\n"
            "<form id=\"return\" method=\"post\" enctype=\"multipart/form-data\" action=\"" +
            escapeMarkup(v.returnAction) + "\"><input type=\"hidden\" name=\"csrf\" value=\"" +
            escapeMarkup(v.formToken) +
            "\"><input type=\"file\" name=\"file\" required> "
            "<button type=\"submit\">Send back</button>"
            "<span class=\"muted\"> up to " +
            escapeMarkup(humanSize(v.maxReturnBytes)) + "</span></form>\n";
    }
    return html + kTail;
}

std::string passwordPageHtml(const std::string& action, const std::string& error) {
    std::string html = head("Password needed — dadgate");
    html += "<h1>This package is protected by a password</h1>\n";
    if (!error.empty()) html += "<p class=\"error\" id=\"error\">" + escapeMarkup(error) + "</p>\n";
    html += "<form id=\"password\" method=\"post\" action=\"" + escapeMarkup(action) +
            "\"><label>Password <input type=\"password\" name=\"password\" "
            "autocomplete=\"current-password\" required autofocus></label> "
            "<button type=\"submit\">Open</button></form>\n";
    return html + kTail;
}

std::string messagePageHtml(const std::string& title, const std::string& text) {
    return head(title + " — dadgate") + "<h1>" + escapeMarkup(title) + "</h1>\n<p>" +
           escapeMarkup(text) + "</p>\n" + kTail;
}

}  // namespace dad
