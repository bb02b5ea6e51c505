local keep, s = {}, string.rep("x", 100000)
function on_login(e)
  keep[#keep + 1] = s .. e.user
  on_login = nil
  local t = {} for i = 1, 1e9 do t[i] = s .. i end
end
function on_before_upload(e)
  local a, b = string.rep("\0", 1000000), string.rep("\0", 1000000)
  while a < b or a:upper() do end
end
function on_connect(e)
  dad.set_recipients(setmetatable({}, {__index = function(t, k) return s end}))
  return deny(string.rep("\r\n", 1e5))
end
