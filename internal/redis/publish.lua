-- Publish one message on a channel: number it, keep it in the channel's bounded history and
-- announce it to every server node, atomically, so every replica sees the same seq.
-- KEYS[1] seq (counter), KEYS[2] epoch, KEYS[3] history (list, oldest first).
-- ARGV[1] message type, ARGV[2] channel name, ARGV[3] data (JSON), ARGV[4] history length,
-- ARGV[5] a fresh epoch to use if the channel has none (its history was lost or never was),
-- ARGV[6] the pub/sub channel of the notices.
-- Returns the message as sent.
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[5]
  redis.call('SET', KEYS[2], epoch)
  redis.call('DEL', KEYS[1], KEYS[3])
end
local seq = redis.call('INCR', KEYS[1])
local msg = '{"type":"' .. ARGV[1] .. '","channel":"' .. ARGV[2] .. '","seq":' .. seq ..
  ',"epoch":"' .. epoch .. '","data":' .. ARGV[3] .. '}'
redis.call('RPUSH', KEYS[3], msg)
redis.call('LTRIM', KEYS[3], -tonumber(ARGV[4]), -1)
redis.call('PUBLISH', ARGV[6], msg)
return msg
