-- A storage quota per group of users, on top of each account's own quota.
-- Names here are examples; adapt GROUPS to your site.
local GiB = 1024 * 1024 * 1024
local GROUPS = {
  interns = { members = { "ivan", "ines" }, bytes = 5 * GiB },
  design  = { members = { "dora", "dan" },  bytes = 200 * GiB },
}

local function group_of(user)
  for _, group in pairs(GROUPS) do
    for _, member in ipairs(group.members) do
      if member == user then return group end
    end
  end
end

function on_before_upload(event)
  local group = group_of(event.user)
  if group and event.used_bytes + event.bytes > group.bytes then
    return deny(string.format("the group quota of %d GiB is used up", group.bytes // GiB))
  end
end
