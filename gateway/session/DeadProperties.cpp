#include "DeadProperties.h"

#include "Gateway.h"
#include "Namespace.h"
#include "VirtualPath.h"

namespace dad {

namespace {

class CatalogDeadProperties : public DeadProperties {
public:
    CatalogDeadProperties(Gateway& gateway, AccountRecord account)
        : gateway_(gateway), account_(std::move(account)), namespace_(gateway_, account_) {}

    Status list(const std::string& path, std::vector<DeadProperty>& properties) override {
        properties.clear();
        Place place;
        if (Status s = resolve(path, place); !s) return s;
        if (place.kind != Place::Kind::Node) return Status::ok();
        return gateway_.catalog().listDeadProperties(place.node.id, properties);
    }

    Status listChildren(const std::string& folder, const std::vector<std::string>& names,
                        std::map<std::string, std::vector<DeadProperty>>& byName) override {
        byName.clear();
        Place place;
        if (Status s = resolve(folder, place); !s) return s;
        if (place.kind != Place::Kind::Node || !place.node.isDir) {
            // The root and the area folders list few entries (packages): one by one.
            for (const std::string& name : names) {
                const std::string child = folder == "/" ? "/" + name : folder + "/" + name;
                std::vector<DeadProperty> properties;
                if (Status s = list(child, properties); !s) return s;
                if (!properties.empty()) byName[name] = std::move(properties);
            }
            return Status::ok();
        }
        std::vector<std::pair<std::string, DeadProperty>> rows;
        if (Status s = gateway_.catalog().listChildDeadProperties(place.node.id, rows); !s) {
            return s;
        }
        for (auto& [name, property] : rows) {
            if (!Namespace::childIsNode(place, name)) continue;
            byName[name].push_back(std::move(property));
        }
        return Status::ok();
    }

    Status change(const std::string& path,
                  const std::vector<std::pair<DeadProperty, bool>>& changes) override {
        Place place;
        if (Status s = resolve(path, place); !s) return s;
        if (place.kind == Place::Kind::Missing || place.kind == Place::Kind::NewDraft) {
            return Status::notFound("no such file or folder: " + path);
        }
        if (place.kind != Place::Kind::Node || !place.writable) {
            return Status::denied("properties cannot be changed here: " + path);
        }
        return gateway_.catalog().changeDeadProperties(place.node.id, changes);
    }

    Status copy(const std::string& from, const std::string& to) override {
        Place source, target;
        if (Status s = resolve(from, source); !s) return s;
        if (Status s = resolve(to, target); !s) return s;
        if (source.kind != Place::Kind::Node || target.kind != Place::Kind::Node) {
            return Status::ok();
        }
        return gateway_.catalog().copyDeadProperties(source.node.id, target.node.id);
    }

private:
    Status resolve(const std::string& path, Place& place) {
        std::string normalized;
        if (Status s = VirtualPath::resolve("/", path, normalized); !s) return s;
        return namespace_.resolve(normalized, place);
    }

    Gateway& gateway_;
    AccountRecord account_;
    Namespace namespace_;
};

}  // namespace

Status DeadProperties::open(Gateway& gateway, const std::string& accountName,
                            std::unique_ptr<DeadProperties>& properties) {
    AccountRecord account;
    if (Status s = gateway.catalog().findAccount(accountName, account); !s) return s;
    properties = std::make_unique<CatalogDeadProperties>(gateway, std::move(account));
    return Status::ok();
}

}  // namespace dad
