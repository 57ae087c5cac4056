// Package openapitest holds the tests' HTTP exchanges to the OpenAPI document (docs/openapi.json),
// so that the document cannot drift from what the server does: every request a test sends to
// /api/v1 and every response it gets are validated against it. Tests only; nothing ships with it.
package openapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"bullpen/docs"
)

// Prefix is where the document applies; other paths (/healthz, /ws, the pages) are not in it.
const Prefix = "/api/v1"

var (
	once    sync.Once
	shared  validator.Validator
	loadErr error
)

// Validator is the validator of the embedded document, built once per test binary. Strict
// mode reports members, query parameters and headers the document does not declare, even
// where a schema leaves additional properties open for clients.
func Validator() (validator.Validator, error) {
	once.Do(func() {
		doc, err := libopenapi.NewDocument(docs.OpenAPI)
		if err != nil {
			loadErr = fmt.Errorf("parse docs/openapi.json: %w", err)
			return
		}
		v, errs := validator.NewValidator(doc, config.WithStrictMode(), config.WithFormatAssertions(),
			config.WithStrictIgnoredHeadersExtra(SecurityHeaders...))
		if len(errs) > 0 {
			loadErr = fmt.Errorf("build the validator of docs/openapi.json: %v", errs)
			return
		}
		shared = v
	})
	return shared, loadErr
}

// SecurityHeaders are the headers every answer carries (internal/http/headers.go, README
// "Security headers"): they belong to the transport, not to one operation, so the document does
// not repeat them on each response. internal/app's header test checks their values.
var SecurityHeaders = []string{
	"content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy",
	"cross-origin-opener-policy", "cross-origin-embedder-policy", "cross-origin-resource-policy",
	"permissions-policy", "origin-agent-cluster", "x-xss-protection", "x-dns-prefetch-control",
	"x-download-options", "x-permitted-cross-domain-policies",
}

// Exchange is one finished request, as a test made it.
type Exchange struct {
	Method, Path string // Path with its query
	Header       http.Header
	Body         []byte
	Status       int
	ResHeader    http.Header
	ResBody      []byte
}

// Check fails the test when the exchange does not match the document: an undocumented route
// that the server served, an undocumented status, a response body or header that is not as
// documented, or a request the document refuses that the server nevertheless accepted.
// A request the document refuses and the server refused too (a test probing an error) passes,
// as long as the error response is documented.
func Check(tb testing.TB, x Exchange) {
	tb.Helper()
	if x.Path != Prefix && !strings.HasPrefix(x.Path, Prefix+"/") && !strings.HasPrefix(x.Path, Prefix+"?") {
		return
	}
	v, err := Validator()
	if err != nil {
		tb.Fatal(err)
	}
	req, err := http.NewRequest(x.Method, "http://bullpen.test"+escapeStrayPercents(x.Path), bytes.NewReader(x.Body))
	if err != nil {
		tb.Fatalf("openapi: %s %s: %v", x.Method, x.Path, err)
	}
	req.Header = x.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	_, reqErrs := v.ValidateHttpRequestSync(req)
	where := fmt.Sprintf("%s %s -> %d", x.Method, x.Path, x.Status)
	if routeMissing(reqErrs) {
		if x.Status < 400 {
			tb.Errorf("openapi: %s: the route is not in docs/openapi.json, yet the server served it", where)
		} else if !isErrorBody(x.ResBody) {
			tb.Errorf("openapi: %s: an unknown route's answer is not the error shape: %s", where, x.ResBody)
		}
		return
	}
	if len(reqErrs) > 0 && x.Status < 400 {
		tb.Errorf("openapi: %s: docs/openapi.json refuses this request, yet the server accepted it:\n%s\nrequest body: %s",
			where, describe(reqErrs), clip(x.Body))
	}
	req.Body = io.NopCloser(bytes.NewReader(x.Body))
	res := &http.Response{StatusCode: x.Status, Header: x.ResHeader.Clone(), Body: io.NopCloser(bytes.NewReader(x.ResBody)), Request: req}
	if res.Header == nil {
		res.Header = http.Header{}
	}
	if _, resErrs := v.ValidateHttpResponse(req, res); len(resErrs) > 0 {
		tb.Errorf("openapi: %s: the response is not as docs/openapi.json says:\n%s\nresponse body: %s",
			where, describe(resErrs), clip(x.ResBody))
	}
}

// escapeStrayPercents writes a `%` that starts no escape (`%zz`, a test of the server's answer
// to a malformed path) as `%25`, so the path parses and is matched to its route as sent.
func escapeStrayPercents(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if path[i] == '%' && (i+2 >= len(path) || !isHex(path[i+1]) || !isHex(path[i+2])) {
			b.WriteString("%25")
			continue
		}
		b.WriteByte(path[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func routeMissing(errs []*verrors.ValidationError) bool {
	for _, e := range errs {
		if e.IsPathMissingError() || e.IsOperationMissingError() {
			return true
		}
	}
	return false
}

func isErrorBody(b []byte) bool {
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	return json.Unmarshal(b, &e) == nil && e.Error.Code != "" && e.Error.Message != ""
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  - %s: %s", e.Message, e.Reason)
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n      %s", f.Error())
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func clip(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}
