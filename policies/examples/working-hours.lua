-- Uploads only during working hours (Monday to Friday, 07:00-19:00 UTC).
-- To use it, copy it into the policy folder and run `dadctl policy reload`.
local OPEN_HOUR, CLOSE_HOUR = 7, 19

function on_before_upload(event)
  local t = now()
  local day = math.floor(t / 86400)
  local weekday = (day + 3) % 7          -- 0 = Monday (1970-01-01 was a Thursday)
  local hour = math.floor(t % 86400 / 3600)
  if weekday >= 5 or hour < OPEN_HOUR or hour >= CLOSE_HOUR then
    return deny(string.format("uploads are accepted Monday to Friday, %02d:00-%02d:00 UTC",
                              OPEN_HOUR, CLOSE_HOUR))
  end
end
