// Notifications: the one payload format of `notify` jobs, and how the
// session layer queues them. Queuing never sends anything: the notify
// workers (plugins/notify) turn a job into mails and webhook calls later, so
// a slow mail server never blocks a transfer.
//
// Payload: a JSON object
//   {"event": "...", "pid": "...", "to": "...", "account": "...", "detail": "..."}
// with the fields an event uses (absent ones are empty):
//   package_sent      pid; to = the sender's account name (gets the PID)
//   package_received  pid; to = one recipient (account name or e-mail address);
//                     detail "" or, for a notification sent again, "resend <n>"
//   downloaded        pid; account = who downloaded ("" over a link), detail = the file
//   package_expired   pid
//   quota             account = whose quota; detail = the threshold ("alice 80%")
//   policy            pid; to = an address or account; detail = the text (Lua dad.notify)
#pragma once

#include <string>

#include "Catalog.h"

namespace dad {

struct NotificationEvent {
    std::string event;
    std::string pid;
    std::string to;
    std::string account;
    std::string detail;
};

std::string notificationPayload(const NotificationEvent& event);
// Invalid when the payload is not such an object (an event name is required).
Status parseNotificationPayload(const std::string& payload, NotificationEvent& event);
// Queues one `notify` job for the event.
Status enqueueNotification(Catalog& catalog, const NotificationEvent& event);

}  // namespace dad
