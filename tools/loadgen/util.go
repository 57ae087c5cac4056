package main

import (
	"math/rand/v2"
	"time"
)

func newRand() *rand.Rand {
	return rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1)) //nolint:gosec // load, not secrets
}
