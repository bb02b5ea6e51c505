-- Expiry as a Lua rule. The default expiry (7 days after sending unless the
-- manifest says otherwise) is the expiry plugin's (plugins.expiry.default);
-- copy this into policy.dir to set expiry by your own rule instead, e.g. by
-- recipient domain. Lua runs after the plugins, so its set_expiry wins.
local SEVEN_DAYS = 7 * 24 * 3600

function on_package_sent(event)
  local package = event.package
  if package.expires_after == nil and package.expires_at == nil then
    dad.set_expiry(SEVEN_DAYS)
  end
end
