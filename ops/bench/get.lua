-- wrk: GET a path with the bearer token (PARLEY_PATH, default the support sla view).
local token = os.getenv("PARLEY_TOKEN") or ""
local path = os.getenv("PARLEY_PATH") or "/v1/views/support/sla"
request = function()
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
