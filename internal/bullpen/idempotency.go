package bullpen

// IdempotentResponse is the first response given to an Idempotency-Key, kept to answer the
// same token's retries with it.
type IdempotentResponse struct {
	Method, Path string
	Status       int // 0: the first request is still running
	Body         []byte
}
