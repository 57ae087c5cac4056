package config

import (
	"net/url"
	"regexp"
)

// ancestorHost is a host name, optionally under a wildcard for its subdomains (*.example.com),
// or an IP address, with an optional port: what a frame-ancestors source may name.
var ancestorHost = regexp.MustCompile(`^(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?$`)

// frameAncestor: an http(s) origin and nothing more, since it is written into the pages'
// Content-Security-Policy as it is (a path, a space or a ';' would change the policy).
func frameAncestor(o string) bool {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil ||
		u.Opaque != "" || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return false
	}
	return ancestorHost.MatchString(u.Host) && o == u.Scheme+"://"+u.Host+u.Path
}
