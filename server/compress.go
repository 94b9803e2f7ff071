package server

import (
	"bytes"
	"compress/gzip"
	"sync"

	"github.com/labstack/echo/v4"
)

// Every HTML answer is compressed when the browser accepts gzip: markup
// shrinks about tenfold (the 1 000-service model tab from ~135 KB), and
// the browser parses it sooner. The level is moderate: each page is
// compressed once, per request. The CSRF token in pages is masked per
// response (csrf_mask.go), so compression cannot leak it (BREACH).
// Cached bodies (diagrams, share pages) have their own encoding, made once
// (respcache.go).

// htmlGzipLevel trades a little size for speed per request.
const htmlGzipLevel = 5

var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, htmlGzipLevel) // the level is valid
	return zw
}}

// writeHTML answers with html, gzip-encoded when the client accepts it and
// it is big enough for the encoding to pay.
func writeHTML(c echo.Context, status int, html []byte) error {
	h := c.Response().Header()
	h.Add("Vary", "Accept-Encoding")
	if len(html) < minGzipSize || !acceptsGzip(c.Request()) || h.Get("Content-Encoding") != "" {
		return c.HTMLBlob(status, html)
	}
	var buf bytes.Buffer
	buf.Grow(len(html) / 4)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, _ = zw.Write(html) // writes to a bytes.Buffer cannot fail
	err := zw.Close()
	gzipWriters.Put(zw)
	if err != nil {
		return err
	}
	h.Set("Content-Encoding", "gzip")
	return c.Blob(status, echo.MIMETextHTMLCharsetUTF8, buf.Bytes())
}
