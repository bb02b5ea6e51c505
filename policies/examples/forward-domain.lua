-- Packages for anyone at partner.example go on to the partner's own gateway
-- (a site added with `dadctl site add partner --type peer --url ...`).
local DOMAIN, SITE = "@partner.example", "partner"

function on_package_sent(event)
  for _, address in ipairs(event.package.recipients) do
    if address:sub(-#DOMAIN) == DOMAIN then
      dad.forward(SITE)
      return
    end
  end
end
