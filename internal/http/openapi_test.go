package http_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"bullpen/docs"
	"bullpen/internal/openapitest"
)

func TestOpenAPIDocumentIsServedWithoutAToken(t *testing.T) {
	e := newEnv(t)
	res := e.do("GET", "/api/v1/openapi.json", "", nil)
	res.Want(t, 200, nil)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q", ct)
	}
	if !bytes.Equal(res.Body, docs.OpenAPI) {
		t.Fatalf("served %d bytes that are not the embedded document (%d bytes)", len(res.Body), len(docs.OpenAPI))
	}
}

func TestOpenAPIDocumentIsValidOpenAPI31(t *testing.T) {
	var head struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal(docs.OpenAPI, &head); err != nil {
		t.Fatalf("docs/openapi.json is not JSON: %v", err)
	}
	if !strings.HasPrefix(head.OpenAPI, "3.1.") {
		t.Fatalf("openapi %q, want 3.1.x", head.OpenAPI)
	}
	doc, err := libopenapi.NewDocument(docs.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("%s: %s", e.Message, e.Reason)
			for _, f := range e.SchemaValidationErrors {
				t.Errorf("  %s", f.Error())
			}
		}
	}
	// The validator the HTTP tests use builds too.
	if _, err := openapitest.Validator(); err != nil {
		t.Fatal(err)
	}
}

// Every route the server has under /api/v1 is in the document, with its method, so that a new
// endpoint cannot ship undocumented.
func TestEveryAPIRouteIsDocumented(t *testing.T) {
	srv := newEnv(t).srv
	var doc struct {
		Servers []struct{ URL string } `json:"servers"`
		Paths   map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(docs.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != openapitest.Prefix {
		t.Fatalf("servers %v, want the one %s", doc.Servers, openapitest.Prefix)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	seen := map[string]bool{}
	for _, r := range srv.App().GetRoutes(true) {
		if r.Path != openapitest.Prefix && !strings.HasPrefix(r.Path, openapitest.Prefix+"/") {
			continue
		}
		if r.Method == "HEAD" && slices.ContainsFunc(srv.App().GetRoutes(true), func(g fiber.Route) bool {
			return g.Method == "GET" && g.Path == r.Path
		}) {
			continue // Fiber adds HEAD to every GET
		}
		key := r.Method + " " + openAPIPath(strings.TrimPrefix(r.Path, openapitest.Prefix))
		seen[key] = true
		if !documented[key] {
			t.Errorf("%s %s is served but not in docs/openapi.json", r.Method, r.Path)
		}
	}
	for key := range documented {
		if !seen[key] {
			t.Errorf("docs/openapi.json documents %s, which the server does not serve", key)
		}
	}
}

// openAPIPath writes Fiber's :param as OpenAPI's {param}.
func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + strings.TrimSuffix(strings.TrimPrefix(s, ":"), "?") + "}"
		}
	}
	return strings.Join(parts, "/")
}
