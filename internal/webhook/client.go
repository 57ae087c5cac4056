package webhook

import (
	"net"
	"net/http"
	"time"
)

// Timeout bounds every request: connecting, TLS, sending and the answer's headers and body.
const Timeout = 5 * time.Second

// NewClient is the deliverer's HTTP client: each connection checked by the guard once its
// address is known, no proxy (a proxy would hide the address), redirects not followed (a
// redirect's answer is the answer), and at most timeout per request.
func NewClient(g Guard, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, Control: g.Control}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
