// Package static holds the browser assets of the web app — our CSS and
// JavaScript and the vendored libraries — embedded into the binary.
//
// Every asset is served under a URL that carries a hash of its content
// (app.css → /static/app.3f9a0c12.css), so browsers may cache it forever and
// still see a change the moment a new binary ships.
//
// Vendored (copied from the npm packages, unmodified):
//   - vendor/htmx-2.0.11.min.js: htmx.org 2.0.11, 0BSD (vendor/LICENSE.htmx)
//   - vendor/svg-pan-zoom-3.6.2.min.js: svg-pan-zoom 3.6.2, BSD-2-Clause (vendor/LICENSE.svg-pan-zoom)
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
)

//go:embed *.css *.js *.svg vendor/*.js
var files embed.FS

// Asset is one embedded file and the hashed name it is served under.
type Asset struct {
	Name       string // "vendor/htmx-2.0.11.min.js"
	HashedName string // "vendor/htmx-2.0.11.min.1a2b3c4d.js"
	Content    []byte
}

var (
	byName   = map[string]*Asset{}
	byHashed = map[string]*Asset{}
)

func init() {
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		a := &Asset{
			Name:       p,
			HashedName: strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:4]) + ext,
			Content:    b,
		}
		byName[a.Name] = a
		byHashed[a.HashedName] = a
		return nil
	})
	if err != nil {
		panic("static: " + err.Error())
	}
}

// Path returns the URL path of the named asset ("app.css" →
// "/static/app.3f9a0c12.css"). It panics on an unknown name: asset names are
// constants in our templates, so a typo must fail the first test that renders it.
func Path(name string) string {
	a, ok := byName[name]
	if !ok {
		panic("static: unknown asset " + name)
	}
	return "/static/" + a.HashedName
}

// Lookup finds an asset by its hashed name (the URL path after /static/).
func Lookup(hashedName string) (*Asset, bool) {
	a, ok := byHashed[hashedName]
	return a, ok
}
