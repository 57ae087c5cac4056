-- Set attainment rows of one target set from the absolute values the ledger returned.
-- KEYS[1] the set's hash (rep -> "version value"). ARGV: rep, version, value, repeated.
-- A write older than the one Redis holds is ignored, so concurrent writers converge.
local n = 0
for i = 1, #ARGV, 3 do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  local newer = true
  if cur then
    local sep = string.find(cur, ' ', 1, true)
    newer = tonumber(string.sub(cur, 1, sep - 1)) < tonumber(ARGV[i + 1])
  end
  if newer then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1] .. ' ' .. ARGV[i + 2])
    n = n + 1
  end
end
return n
