-- Refuses uploads of Windows executables and scripts by their name.
local BLOCKED = { "%.exe$", "%.bat$", "%.cmd$", "%.scr$", "%.vbs$" }

function on_before_upload(event)
  local name = event.path:lower()
  for _, pattern in ipairs(BLOCKED) do
    if name:find(pattern) then
      return deny("executable files are not accepted: " .. event.path)
    end
  end
end
