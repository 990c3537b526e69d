-- wrk script: POSTs one JSON body per request, rotating through the lines of
-- the file named by env BODIES (so per-order rate limits are not hit). A line
-- "SECRET<TAB>BODY" also sends SECRET as the order's Paybridge-Client-Secret.
local requests = {}
for line in io.lines(os.getenv("BODIES")) do
  local secret, body = line:match("^([^\t]*)\t(.*)$")
  local headers = { ["Content-Type"] = "application/json" }
  if secret then headers["Paybridge-Client-Secret"] = secret else body = line end
  requests[#requests + 1] = { headers = headers, body = body }
end
local i = 0
wrk.method = "POST"
request = function()
  i = i % #requests + 1
  return wrk.format(nil, nil, requests[i].headers, requests[i].body)
end
