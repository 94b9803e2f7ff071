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

// EncodeYAML writes the model file of DESIGN §2 in canonical form.
func EncodeYAML(m *Model) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(m.Canonical()); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// EncodeJSON writes the model as indented JSON in canonical form.
func EncodeJSON(m *Model) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	// Names like "<script>" stay readable in the file; HTML escaping is the
	// job of whoever puts JSON into a page.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m.Canonical()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
