// ApiJson: the API's JSON shape of each record (times in seconds since the
// epoch, absent values null). Secrets (password hashes, share tokens, token
// hashes) never appear.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "Admin.h"

namespace dad::api_json {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr account(const AccountRecord& a);
Object::Ptr quota(const QuotaState& q);
Object::Ptr accountView(const AccountView& v);
Object::Ptr package(const PackageRecord& p);
Object::Ptr packageDetail(const PackageDetail& d);
Object::Ptr group(const GroupRecord& g);
Object::Ptr contact(const AddressEntry& e);
Object::Ptr site(const SiteRecord& s);
Object::Ptr job(const JobRecord& j);
Object::Ptr ban(const LoginBan& b);
Object::Ptr audit(const AuditEntry& e);
Object::Ptr token(const ApiTokenRecord& t);
Object::Ptr key(const SshKeyRecord& k);
// {"items": [...]} around `items`.
Object::Ptr list(const Array::Ptr& items);
Object::Ptr ok();

}  // namespace dad::api_json
