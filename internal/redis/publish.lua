-- Publish messages, each on its own channel: number it, keep it in the channel's bounded history
-- and announce it to every server node, atomically, so every replica sees the same seq. A page
-- of messages takes one call rather than one each (the call's own cost was most of a message's).
-- Message i (from 0): KEYS[3i+1] its channel's seq (counter), KEYS[3i+2] epoch, KEYS[3i+3]
-- history (list, oldest first); ARGV[5i+2] type, ARGV[5i+3] channel name, ARGV[5i+4] data
-- (JSON), ARGV[5i+5] history length, ARGV[5i+6] the pub/sub channel of the notices.
-- ARGV[1] a fresh epoch for a channel that has none (its history was lost or never was).
-- Messages on one channel go out in the order given. Returns the last message as sent.
-- A history is trimmed back to its length once it is an eighth over it, not at every message:
-- most messages then cost one command fewer, and readers take no more than the length (tail.lua).
local msg
for i = 0, #KEYS / 3 - 1 do
  local k, a = 3 * i, 5 * i + 1
  local epoch = redis.call('GET', KEYS[k + 2])
  if not epoch then
    epoch = ARGV[1]
    redis.call('SET', KEYS[k + 2], epoch)
    redis.call('DEL', KEYS[k + 1], KEYS[k + 3])
  end
  local seq = redis.call('INCR', KEYS[k + 1])
  msg = '{"type":"' .. ARGV[a + 1] .. '","channel":"' .. ARGV[a + 2] .. '","seq":' .. seq ..
    ',"epoch":"' .. epoch .. '","data":' .. ARGV[a + 3] .. '}'
  local keep = tonumber(ARGV[a + 4])
  if redis.call('RPUSH', KEYS[k + 3], msg) > keep + math.max(1, math.floor(keep / 8)) then
    redis.call('LTRIM', KEYS[k + 3], -keep, -1)
  end
  redis.call('PUBLISH', ARGV[a + 5], msg)
end
return msg
