-- wrk: POST /v1/events with a JSON Lines batch of 1,000 events per request.
local counter = 0
local token = os.getenv("PARLEY_TOKEN") or ""
local size = tonumber(os.getenv("PARLEY_BATCH") or "1000")

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  n = 0
end

request = function()
  n = n + 1
  local lines = {}
  for i = 1, size do
    local ticket = "B" .. tid .. "-" .. n .. "-" .. i
    lines[i] = '{"stream":"ticket:' .. ticket .. '","type":"ticket.opened","time":"2026-03-02T09:00:00Z",'
      .. '"data":{"ticket":"' .. ticket .. '","member":"m' .. (i % 5000) .. '"}}'
  end
  return wrk.format("POST", "/v1/events",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/x-ndjson"},
    table.concat(lines, "\n"))
end

response = function(status, headers, body)
  if status ~= 201 then
    io.stderr:write("status " .. status .. ": " .. body .. "\n")
  end
end
