-- An entrant's place on one board: KEYS[1] the board's members hash (entrant -> "score member"),
-- KEYS[2] its sorted set; ARGV[1] the entrant. Returns {rank, sort score, member}, or false when
-- the entrant has no row. Both keys share the contest's hash tag.
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return false end
local sp = string.find(cur, ' ', 1, true)
if not sp then return false end
local m = string.sub(cur, sp + 1)
local r = redis.call('ZRANK', KEYS[2], m)
if not r then return false end
return {r, redis.call('ZSCORE', KEYS[2], m), m}
