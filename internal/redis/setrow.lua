-- Set one standings row from the absolute values the ledger returned.
-- KEYS[1] board (sorted set), KEYS[2] members (hash entrant -> "version member"),
-- KEYS[3] the contest's set of period keys, KEYS[4] race finishers (hash entrant -> "score reached").
-- ARGV[1] entrant, ARGV[2] member, ARGV[3] sort score, ARGV[4] version, ARGV[5] period key,
-- ARGV[6] for a race finisher "score reached" (its sort score no longer holds its score), else "".
-- A write older than the one Redis holds is ignored, so concurrent writers converge.
local cur = redis.call('HGET', KEYS[2], ARGV[1])
if cur then
  local sep = string.find(cur, ' ', 1, true)
  if tonumber(string.sub(cur, 1, sep - 1)) >= tonumber(ARGV[4]) then
    return 0
  end
  redis.call('ZREM', KEYS[1], string.sub(cur, sep + 1))
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4] .. ' ' .. ARGV[2])
redis.call('SADD', KEYS[3], ARGV[5])
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[1], ARGV[6])
else
  redis.call('HDEL', KEYS[4], ARGV[1])
end
return 1
