// Package docs holds the API's OpenAPI document, embedded in the server binary so that the
// document a client reads at /api/v1/openapi.json is the one the tests held the code to.
package docs

import _ "embed"

// OpenAPI is the OpenAPI 3.1 document of /api/v1 (openapi.json beside this file; the prose is
// api.md).
//
//go:embed openapi.json
var OpenAPI []byte
