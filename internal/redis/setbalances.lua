-- Set reps' points balances from the absolute values the ledger returned.
-- KEYS[1] balances (hash rep -> "version points").
-- ARGV holds triples: rep, version, points.
-- A balance no newer than the one Redis holds is ignored, so concurrent writers converge on the
-- newest. A stored value without a version counts as older than any.
-- Returns how many reps were written.
local written = 0
for i = 1, #ARGV, 3 do
  local rep, version = ARGV[i], tonumber(ARGV[i + 1])
  local cur = redis.call('HGET', KEYS[1], rep)
  local newer = true
  if cur then
    local sep = string.find(cur, ' ', 1, true)
    if sep and tonumber(string.sub(cur, 1, sep - 1)) >= version then
      newer = false
    end
  end
  if newer then
    redis.call('HSET', KEYS[1], rep, ARGV[i + 1] .. ' ' .. ARGV[i + 2])
    written = written + 1
  end
end
return written
