-- Default expiry: a package expires 7 days after it is sent, unless its
-- manifest (.dad: expires = ...) says otherwise.
local SEVEN_DAYS = 7 * 24 * 3600

function on_package_sent(event)
  local package = event.package
  if package.expires_after == nil and package.expires_at == nil then
    dad.set_expiry(SEVEN_DAYS)
  end
end
