package redis

// PublishScriptHash names the publishing script's calls for the tests' hooks.
var PublishScriptHash = publishScript.Hash()

// PublishCallLimits are the most messages and bytes of data a call of it takes.
const PublishCallMessages, PublishCallBytes = publishCallMessages, publishCallBytes

// HistoryKey is the list that holds a channel's history.
func (s *Store) HistoryKey(channel string) string { return s.historyKey(channel) }
