// readBasicCredentials: the user name and password of a request's
// "Authorization: Basic" header (WebDAV, the peer API). No header or another
// scheme: false, no credentials given. Poco decodes the value leniently: one
// that is not base64 of "user:password" gives what it decodes to (often an
// empty user name), which the Authenticator then refuses like any other.
#pragma once

#include <Poco/Net/HTTPRequest.h>

#include <string>

namespace dad {

bool readBasicCredentials(const Poco::Net::HTTPRequest& request, std::string& user,
                          std::string& password);

}  // namespace dad
