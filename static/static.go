// Package static holds the browser pages, embedded in the server binary so it needs nothing
// else at run time and works with no internet.
//
// Each page is its HTML, its stylesheet and one script (display.js, me.js, manage.js) that
// imports its screens from the folder of the same name (display/, me/, manage/) and what every
// page shares from shared/: the API client, money and time formatting, the socket client and
// the test hooks. They are native ES modules, served as they are: there is no build step.
package static

import "embed"

// Files are the pages and their assets, served at the site root.
//
//go:embed *.html *.css *.js vendor/* shared/*.js display/*.js me/*.js manage/*.js
var Files embed.FS
