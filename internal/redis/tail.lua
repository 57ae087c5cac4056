-- Read where a channel stands and just the part of its history a client needs, atomically.
-- KEYS[1] seq, KEYS[2] epoch, KEYS[3] history.
-- ARGV[1] the client's since (-1: none), ARGV[2] the fewest latest messages to return anyway,
-- ARGV[3] the channel's history length (the list may hold up to an eighth more: publish.lua).
-- Returns {epoch or '', seq, message...}: the messages after since (as many as the history
-- still holds, at most its length), and at least ARGV[2] of the latest.
local epoch = redis.call('GET', KEYS[2]) or ''
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local since = tonumber(ARGV[1])
local want = tonumber(ARGV[2])
if since >= 0 and seq - since > want then
  want = seq - since
end
want = math.min(want, tonumber(ARGV[3]))
local out = {epoch, tostring(seq)}
if want > 0 then
  local hist = redis.call('LRANGE', KEYS[3], -want, -1)
  for i = 1, #hist do
    out[#out + 1] = hist[i]
  end
end
return out
