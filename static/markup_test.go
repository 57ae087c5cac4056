package static_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"bullpen/static"
)

// The pages run under Trusted Types (README "Security headers"): a string given to any of these
// throws in Chromium, and elsewhere could turn a rep's name into markup. Nodes and textContent
// do the same job. This finds one on a path the browser tests never take.
var markupSink = regexp.MustCompile(`\.(?:innerHTML|outerHTML)\s*(?:\+?=[^=])|\.insertAdjacentHTML\s*\(|document\.write(?:ln)?\s*\(|\.setHTMLUnsafe\s*\(|\.parseFromString\s*\(|\bcreateContextualFragment\s*\(`)

// Inline scripts, handlers and style attributes: the pages' policy refuses each.
var inlineInHTML = regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|\son[a-z]+\s*=|\sstyle\s*=|javascript:`)

func TestNoScriptBuildsMarkupFromStrings(t *testing.T) {
	scripts := 0
	err := fs.WalkDir(static.Files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".js") || strings.HasPrefix(name, "vendor/") {
			return err
		}
		scripts++
		src, err := fs.ReadFile(static.Files, name)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(src), "\n") {
			if m := markupSink.FindString(line); m != "" {
				t.Errorf("%s:%d: %q builds markup from a string: build nodes (h(), textContent) instead", name, i+1, strings.TrimSpace(m))
			}
		}
		return nil
	})
	if err != nil || scripts == 0 {
		t.Fatalf("no script read (err %v)", err)
	}
}

func TestNoPageHoldsInlineScriptOrStyle(t *testing.T) {
	pages, err := fs.Glob(static.Files, "*.html")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no page embedded (err %v)", err)
	}
	for _, page := range pages {
		src, err := fs.ReadFile(static.Files, page)
		if err != nil {
			t.Fatal(err)
		}
		if m := inlineInHTML.FindString(string(src)); m != "" {
			t.Errorf("%s holds %q, which the pages' Content-Security-Policy refuses: move it to a file", page, m)
		}
	}
}

// The patterns themselves, so a test that finds nothing is not a pattern that matches nothing.
func TestTheMarkupPatternsMatch(t *testing.T) {
	for _, s := range []string{"el.innerHTML = x", "el.innerHTML += '<b>'", "a.outerHTML='x'", "el.insertAdjacentHTML('beforeend', s)",
		"document.write(s)", "new DOMParser().parseFromString(s, 'text/html')", "range.createContextualFragment(s)"} {
		if !markupSink.MatchString(s) {
			t.Errorf("markupSink misses %q", s)
		}
	}
	for _, s := range []string{"if (el.innerHTML === '') {", "const t = el.textContent;"} {
		if markupSink.MatchString(s) {
			t.Errorf("markupSink takes %q, which reads and builds nothing", s)
		}
	}
	for _, s := range []string{"<script>alert(1)</script>", `<body onload="go()">`, `<p style="color:red">`, `<a href="javascript:go()">`} {
		if !inlineInHTML.MatchString(s) {
			t.Errorf("inlineInHTML misses %q", s)
		}
	}
	for _, s := range []string{`<script type="module" src="/me.js"></script>`, `<script src="/vendor/qrcode.js" defer></script>`, `<p class="x">`} {
		if inlineInHTML.MatchString(s) {
			t.Errorf("inlineInHTML takes %q, which the policy allows", s)
		}
	}
}
