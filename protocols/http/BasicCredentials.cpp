#include "BasicCredentials.h"

#include <Poco/Net/HTTPBasicCredentials.h>

namespace dad {

bool readBasicCredentials(const Poco::Net::HTTPRequest& request, std::string& user,
                          std::string& password) {
    if (!request.hasCredentials()) return false;
    try {
        Poco::Net::HTTPBasicCredentials credentials(request);  // throws on another scheme
        user = credentials.getUsername();
        password = credentials.getPassword();
        return true;
    } catch (const Poco::Exception&) {
        return false;
    }
}

}  // namespace dad
