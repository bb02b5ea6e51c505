-- Delivery: who a package goes to.
--
-- The gateway reads the recipients out of the draft folder's name
-- ("/outbox/alice,bob@example.com/" -> alice and bob@example.com; a part that
-- is neither an account nor an e-mail address is just part of the name) and
-- out of the manifest (.dad: to = ..., cc = ...). They arrive here as
-- event.package.recipients.
--
-- A name written "@team" is an address-book group (dadctl group ...). The
-- gateway does not expand groups itself; it lists them in
-- event.package.groups ("team"), and this script expands each one with
-- dad.group, which looks at the sender's own group of that name first and
-- then at the site's. An unknown group refuses the send with a reason the
-- sender sees. Without this script, a draft that names a group is refused
-- (nobody would expand it) and every other draft is delivered as read.

function on_package_sent(event)
  local package = event.package
  if #package.groups == 0 then
    return -- nothing to expand: the recipients the gateway read stand
  end
  local recipients = {}
  for _, address in ipairs(package.recipients) do
    recipients[#recipients + 1] = address
  end
  for _, group in ipairs(package.groups) do
    local members, problem = dad.group(group)
    if not members then
      return deny("cannot send " .. package.name .. ": " .. problem)
    end
    for _, address in ipairs(members) do
      recipients[#recipients + 1] = address -- the gateway drops repeats
    end
  end
  dad.set_recipients(recipients)
end
