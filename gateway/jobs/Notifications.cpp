#include "Notifications.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace dad {

std::string notificationPayload(const NotificationEvent& e) {
    Poco::JSON::Object object;
    object.set("event", e.event);
    if (!e.pid.empty()) object.set("pid", e.pid);
    if (!e.to.empty()) object.set("to", e.to);
    if (!e.account.empty()) object.set("account", e.account);
    if (!e.detail.empty()) object.set("detail", e.detail);
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

Status parseNotificationPayload(const std::string& payload, NotificationEvent& e) {
    try {
        Poco::JSON::Parser parser;
        Poco::JSON::Object::Ptr object = parser.parse(payload).extract<Poco::JSON::Object::Ptr>();
        if (!object) return Status::invalid("notify payload is not a JSON object");
        e.event = object->optValue<std::string>("event", "");
        e.pid = object->optValue<std::string>("pid", "");
        e.to = object->optValue<std::string>("to", "");
        e.account = object->optValue<std::string>("account", "");
        e.detail = object->optValue<std::string>("detail", "");
    } catch (const std::exception& ex) {
        return Status::invalid(std::string("notify payload is not JSON: ") + ex.what());
    }
    if (e.event.empty()) return Status::invalid("notify payload names no event");
    return Status::ok();
}

Status enqueueNotification(Catalog& catalog, const NotificationEvent& event) {
    return catalog.enqueueJob("notify", notificationPayload(event));
}

}  // namespace dad
