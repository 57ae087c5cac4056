package main

import (
	"math/rand/v2"
	"net/url"
	"strconv"
	"time"
)

func newRand() *rand.Rand {
	return rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1)) //nolint:gosec // load, not secrets
}

func goredisPort(u string) (int, error) {
	p, err := url.Parse(u)
	if err != nil {
		return 0, err
	}
	if p.Port() == "" {
		return 6379, nil
	}
	return strconv.Atoi(p.Port())
}
