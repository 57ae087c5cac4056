package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The signature scheme is Standard Webhooks' (https://www.standardwebhooks.com), so a receiver
// may verify with any of its libraries: the secret is "whsec_" and the base64 of a 32-byte key;
// each request carries
//
//	webhook-id:        the delivery's id (the same on every attempt: dedupe on it)
//	webhook-timestamp: the attempt's time, Unix seconds
//	webhook-signature: "v1," and the base64 of HMAC-SHA256(key, id + "." + timestamp + "." + body)
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
	secretPrefix    = "whsec_"
)

// NewSecret returns a new signing secret.
func NewSecret() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	return secretPrefix + base64.StdEncoding.EncodeToString(key)
}

func secretKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(key) == 0 {
		return nil, errors.New("webhook: a secret is whsec_ and base64")
	}
	return key, nil
}

// Sign is the webhook-signature of a body sent as delivery id at ts.
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, ts.Unix(), body)), nil
}

func mac(key []byte, id string, unix int64, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(unix, 10) + "."))
	m.Write(body)
	return m.Sum(nil)
}

// Verify is what a receiver does: it checks that h carries a v1 signature of body by secret,
// with a timestamp within tolerance of now (a replayed old request fails). It returns the
// delivery id to dedupe on.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	id, tsText := h.Get(HeaderID), h.Get(HeaderTimestamp)
	unix, err := strconv.ParseInt(tsText, 10, 64)
	if id == "" || err != nil {
		return "", errors.New("webhook: no webhook-id or webhook-timestamp")
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return "", errors.New("webhook: timestamp outside the tolerance")
	}
	want := mac(key, id, unix, body)
	for _, sig := range strings.Fields(h.Get(HeaderSignature)) { // several, space-separated
		v, b64, ok := strings.Cut(sig, ",")
		if !ok || v != "v1" {
			continue
		}
		if got, err := base64.StdEncoding.DecodeString(b64); err == nil && hmac.Equal(got, want) {
			return id, nil
		}
	}
	return "", errors.New("webhook: no signature matches")
}
