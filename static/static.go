// Package static holds the browser pages, embedded in the server binary so it needs nothing
// else at run time and works with no internet.
package static

import "embed"

// Files are the pages and their assets, served at the site root.
//
//go:embed *.html *.css *.js vendor/* shared/*.js display/*.js me/*.js manage/*.js
var Files embed.FS
