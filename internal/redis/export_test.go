package redis

// PublishScriptHash names the publishing script's calls for the tests' hooks.
var PublishScriptHash = publishScript.Hash()

// PublishCallLimits are the most messages and bytes of data a call of it takes.
const PublishCallMessages, PublishCallBytes = publishCallMessages, publishCallBytes
