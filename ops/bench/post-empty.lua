-- wrk: POST /v1/events with an empty JSON array, which parleyd refuses (400) once it has checked
-- the token, read the body and parsed it: the HTTP path of an append without the event, its
-- commit or the views. A reference for the single-event figures, not a scenario.
local token = os.getenv("PARLEY_TOKEN") or ""

request = function()
  return wrk.format("POST", "/v1/events",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, "[]")
end
