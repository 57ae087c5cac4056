package static_test

import (
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"

	"bullpen/static"
)

// A module the pages import but the embed patterns miss (a new folder, say) is a 404 in the
// browser and a page that never starts; these tests find it without a browser.

var (
	importRe = regexp.MustCompile(`(?m)^\s*(?:import|export)\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]`)
	assetRe  = regexp.MustCompile(`(?:src|href)="(/[^"]*)"`)
)

func TestEveryModuleImportIsEmbedded(t *testing.T) {
	modules := 0
	err := fs.WalkDir(static.Files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".js") || strings.HasPrefix(name, "vendor/") {
			return err
		}
		src, err := fs.ReadFile(static.Files, name)
		if err != nil {
			return err
		}
		for _, m := range importRe.FindAllStringSubmatch(string(src), -1) {
			modules++
			target := path.Join(path.Dir(name), m[1])
			if strings.HasPrefix(m[1], "/") {
				target = strings.TrimPrefix(m[1], "/")
			}
			if _, err := fs.Stat(static.Files, target); err != nil {
				t.Errorf("%s imports %s, which is not embedded", name, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if modules == 0 {
		t.Fatal("no import found in the pages' scripts: the pattern no longer matches them")
	}
}

func TestEveryPageAssetIsEmbedded(t *testing.T) {
	pages, err := fs.Glob(static.Files, "*.html")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no page embedded (err %v)", err)
	}
	for _, page := range pages {
		src, err := fs.ReadFile(static.Files, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range assetRe.FindAllStringSubmatch(string(src), -1) {
			if _, err := fs.Stat(static.Files, strings.TrimPrefix(m[1], "/")); err != nil {
				t.Errorf("%s loads %s, which is not embedded", page, m[1])
			}
		}
	}
}
