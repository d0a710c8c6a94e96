-- wrk script: conditional PutItem of an Events-sized row with a fresh key each request, as the
-- processor sends them (unsigned: run fakeaws without --verify-sigv4). Measures the fake's own
-- capacity: `taskset -c 1 fakeaws --port 4620 &` then, after `pismo init` against it,
-- `taskset -c 0 wrk -t1 -c16 -d10s -s bench/fakeaws/wrk_putitem.lua http://127.0.0.1:4620/`
local counter = 0
local payload = string.rep("x", 420)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.PutItem"
request = function()
  counter = counter + 1
  local body = '{"TableName":"Events","Item":{"client_id":{"S":"client-' .. (counter % 5) ..
    '"},"event_key":{"S":"2026-12-03T10:00:00.000Z#evt-' .. counter ..
    '"},"event_id":{"S":"evt-' .. counter .. '"},"event_type":{"S":"monitoring.alert"},' ..
    '"event_time":{"S":"2026-12-03T10:00:00.000Z"},"payload":{"S":"' .. payload ..
    '"},"payload_sha256":{"S":"0000000000000000000000000000000000000000000000000000000000000000"},' ..
    '"received_at":{"S":"2026-12-03T10:00:00.001Z"}},"ConditionExpression":"attribute_not_exists(client_id)"}'
  return wrk.format(nil, "/", nil, body)
end
