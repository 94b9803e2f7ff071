package topology

import (
	"bytes"
	"encoding/json"

	"gopkg.in/yaml.v3"
)

// Canonical returns a copy of m in the form every export writes: defaults
// filled in and empty lists present rather than null, so that exporting what
// was imported from an export gives the same bytes.
func (m *Model) Canonical() *Model {
	c := *m
	c.Services = append(make([]Service, 0, len(m.Services)), m.Services...)
	c.Servers = append(make([]Server, 0, len(m.Servers)), m.Servers...)
	c.Placements = append(make([]Placement, 0, len(m.Placements)), m.Placements...)
	c.Dependencies = append(make([]Dependency, 0, len(m.Dependencies)), m.Dependencies...)
	c.ApplyDefaults()
	return &c
}

// yamlBatch is how many list items one yaml.v3 encoder writes. Its emitter
// keeps every event of a document until the document ends, so a model of
// 10 000 services written in one piece took seconds and most of a gigabyte;
// written a batch at a time it takes a fraction of a second, byte for byte
// the same.
const yamlBatch = 256

// EncodeYAML writes the model file of DESIGN §2 in canonical form.
func EncodeYAML(m *Model) ([]byte, error) {
	c := m.Canonical()
	head := struct {
		Version     int      `yaml:"version"`
		Name        string   `yaml:"name"`
		Description string   `yaml:"description,omitempty"`
		Settings    Settings `yaml:"settings"`
	}{c.Version, c.Name, c.Description, c.Settings}
	var buf bytes.Buffer
	if err := encodeYAMLDoc(&buf, head); err != nil {
		return nil, err
	}
	if err := encodeYAMLList(&buf, "services", c.Services); err != nil {
		return nil, err
	}
	if err := encodeYAMLList(&buf, "servers", c.Servers); err != nil {
		return nil, err
	}
	if err := encodeYAMLList(&buf, "placements", c.Placements); err != nil {
		return nil, err
	}
	if err := encodeYAMLList(&buf, "dependencies", c.Dependencies); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encodeYAMLList writes "key:" and its items as yaml.v3 writes them inside
// the whole model: each batch is written under the same key, at the same
// depth, and all but the first lose their "key:" line.
func encodeYAMLList[T any](buf *bytes.Buffer, key string, items []T) error {
	if len(items) == 0 {
		return encodeYAMLDoc(buf, map[string][]T{key: items})
	}
	var part bytes.Buffer
	for i := 0; i < len(items); i += yamlBatch {
		part.Reset()
		if err := encodeYAMLDoc(&part, map[string][]T{key: items[i:min(i+yamlBatch, len(items))]}); err != nil {
			return err
		}
		out := part.Bytes()
		if i > 0 {
			out = out[bytes.IndexByte(out, '\n')+1:]
		}
		buf.Write(out)
	}
	return nil
}

func encodeYAMLDoc(buf *bytes.Buffer, v any) error {
	enc := yaml.NewEncoder(buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.Close()
}

// EncodeJSON writes the model as JSON in canonical form: one line for each
// service, server, placement and dependency, which reads and diffs well and
// keeps the export of a 10 000-service model well inside MaxInputSize (fully
// indented, it was larger than the bound and could not be imported again).
func EncodeJSON(m *Model) ([]byte, error) {
	c := m.Canonical()
	w := jsonWriter{}
	w.enc = json.NewEncoder(&w.buf)
	// Names like "<script>" stay readable in the file; HTML escaping is the
	// job of whoever puts JSON into a page.
	w.enc.SetEscapeHTML(false)
	w.buf.WriteString("{\n")
	w.field("version", c.Version)
	w.field("name", c.Name)
	if c.Description != "" {
		w.field("description", c.Description)
	}
	w.field("settings", c.Settings)
	jsonList(&w, "services", c.Services)
	jsonList(&w, "servers", c.Servers)
	jsonList(&w, "placements", c.Placements)
	jsonList(&w, "dependencies", c.Dependencies)
	w.buf.WriteString("\n}\n")
	if w.err != nil {
		return nil, w.err
	}
	return w.buf.Bytes(), nil
}

type jsonWriter struct {
	buf    bytes.Buffer
	enc    *json.Encoder
	fields int
	err    error
}

// value writes v compactly, without the newline json.Encoder ends it with.
func (w *jsonWriter) value(v any) {
	if w.err != nil {
		return
	}
	if w.err = w.enc.Encode(v); w.err == nil {
		w.buf.Truncate(w.buf.Len() - 1)
	}
}

func (w *jsonWriter) key(k string) {
	if w.fields > 0 {
		w.buf.WriteString(",\n")
	}
	w.fields++
	w.buf.WriteString("  ")
	w.value(k)
	w.buf.WriteString(": ")
}

func (w *jsonWriter) field(k string, v any) {
	w.key(k)
	w.value(v)
}

func jsonList[T any](w *jsonWriter, k string, items []T) {
	w.key(k)
	if len(items) == 0 {
		w.buf.WriteString("[]")
		return
	}
	w.buf.WriteString("[\n")
	for i := range items {
		if i > 0 {
			w.buf.WriteString(",\n")
		}
		w.buf.WriteString("    ")
		w.value(&items[i])
	}
	w.buf.WriteString("\n  ]")
}
