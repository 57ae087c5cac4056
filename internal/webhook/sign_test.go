package webhook_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"bullpen/internal/webhook"
)

// The Standard Webhooks test vector: a receiver's library of that standard accepts what
// Bullpen signs only if this matches to the byte.
func TestSignReproducesTheStandardWebhooksVector(t *testing.T) {
	sig, err := webhook.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; sig != want {
		t.Fatalf("signature %s, want %s", sig, want)
	}
}

func TestVerifyAcceptsWhatSignMadeAndNothingElse(t *testing.T) {
	secret := webhook.NewSecret()
	if !strings.HasPrefix(secret, "whsec_") || secret == webhook.NewSecret() {
		t.Fatalf("secret %q: want whsec_ and a new one each time", secret)
	}
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"type":"celebration"}`)
	headers := func(id string, at time.Time, body []byte) http.Header {
		sig, err := webhook.Sign(secret, id, at, body)
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", itoa(at.Unix()))
		h.Set("webhook-signature", "v1,bm9wZQ== "+sig) // a second signature, as during a rotation
		return h
	}
	id, err := webhook.Verify(secret, headers("d-1", now, body), body, now, 5*time.Minute)
	if err != nil || id != "d-1" {
		t.Fatalf("verify: %q, %v", id, err)
	}
	for name, c := range map[string]struct {
		h    http.Header
		body []byte
	}{
		"another body":    {headers("d-1", now, body), []byte(`{"type":"reward"}`)},
		"another id":      {withHeader(headers("d-1", now, body), "webhook-id", "d-2"), body},
		"an old request":  {headers("d-1", now.Add(-10*time.Minute), body), body},
		"another secret":  {withHeader(headers("d-1", now, body), "webhook-signature", mustSign(t, webhook.NewSecret(), "d-1", now, body)), body},
		"a v2 signature":  {withHeader(headers("d-1", now, body), "webhook-signature", "v2,"+strings.TrimPrefix(mustSign(t, secret, "d-1", now, body), "v1,")), body},
		"no timestamp":    {withHeader(headers("d-1", now, body), "webhook-timestamp", ""), body},
		"a shifted stamp": {withHeader(headers("d-1", now, body), "webhook-timestamp", itoa(now.Unix()+1)), body},
	} {
		if _, err := webhook.Verify(secret, c.h, c.body, now, 5*time.Minute); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func mustSign(t *testing.T, secret, id string, at time.Time, body []byte) string {
	t.Helper()
	s, err := webhook.Sign(secret, id, at, body)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func withHeader(h http.Header, k, v string) http.Header {
	h = h.Clone()
	h.Set(k, v)
	return h
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
