-- wrk: POST /v1/events with one ticket event per request, a new ticket each time.
local counter = 0
local token = os.getenv("PARLEY_TOKEN") or ""

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  n = 0
end

request = function()
  n = n + 1
  local ticket = "b" .. tid .. "-" .. n
  local body = '{"stream":"ticket:' .. ticket .. '","type":"ticket.opened","time":"2026-03-02T09:00:00Z",'
    .. '"data":{"ticket":"' .. ticket .. '","member":"m' .. (n % 5000) .. '"}}'
  return wrk.format("POST", "/v1/events",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

response = function(status, headers, body)
  if status ~= 201 then
    io.stderr:write("status " .. status .. ": " .. body .. "\n")
  end
end
