package topology

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

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
	// Acceptances stay nil when there are none: a model that never had one
	// exports the same bytes as before they existed.
	if len(m.AcceptedRisks) > 0 {
		c.AcceptedRisks = make([]AcceptedRisk, len(m.AcceptedRisks))
		for i, a := range m.AcceptedRisks {
			a.Subjects = slices.Clone(a.Subjects)
			c.AcceptedRisks[i] = a
		}
	}
	c.ApplyDefaults()
	return &c
}

// yamlBatch is how many list items one yaml.v3 encoder writes. Its emitter
// keeps every event of a document until the document ends, so a model of
// 10 000 services written in one piece took seconds and most of a gigabyte;
// written a batch at a time it takes a fraction of a second and gives the
// same bytes.
const yamlBatch = 256

// EncodeYAML writes the model file of docs/model.md in canonical form.
func EncodeYAML(m *Model) ([]byte, error) {
	c := m.Canonical()
	services := make([]yamlService, len(c.Services))
	for i, s := range c.Services {
		services[i] = yamlService{s.Name, s.Kind, s.Team, s.Tech, yamlItemText(s.Description)}
	}
	deps := make([]yamlDependency, len(c.Dependencies))
	for i, d := range c.Dependencies {
		deps[i] = yamlDependency{d.From, d.To, d.Protocol, d.Mode, d.CallsPerRequest, yamlItemText(d.Description)}
	}
	var buf bytes.Buffer
	if err := encodeYAMLDoc(&buf, yamlHead{c.Version, c.Name, yamlText(c.Description), c.Settings}); err != nil {
		return nil, err
	}
	if err := encodeYAMLList(&buf, "services", services); err != nil {
		return nil, err
	}
	if err := encodeYAMLList(&buf, "servers", c.Servers); err != nil {
		return nil, err
	}
	if err := encodeYAMLList(&buf, "placements", c.Placements); err != nil {
		return nil, err
	}
	if err := encodeYAMLList(&buf, "dependencies", deps); err != nil {
		return nil, err
	}
	if len(c.AcceptedRisks) > 0 {
		accepted := make([]yamlAcceptedRisk, len(c.AcceptedRisks))
		for i, a := range c.AcceptedRisks {
			accepted[i] = yamlAcceptedRisk{a.Rule, a.Subjects, yamlItemText(a.Reason), a.Owner, a.Expires}
		}
		if err := encodeYAMLList(&buf, "accepted_risks", accepted); err != nil {
			return nil, err
		}
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

// yamlText is a description as EncodeYAML writes it. yaml.v3 writes a text
// of several lines as a literal block, which reads well, but some texts do
// not survive it: one that is only line breaks reads back empty, one with a
// line or paragraph separator (U+2028, U+2029) reads back changed. Such a
// text is written double-quoted instead, where everything is escaped.
// yamlText is the model's description; yamlItemText one in a list item,
// whose block is indented deeper (and yaml.v3's mistakes depend on that).
type (
	yamlText     string
	yamlItemText string
)

func (t yamlText) MarshalYAML() (any, error) {
	return safeText(string(t), map[string]string{"description": string(t)}, func(out []byte) string {
		var back map[string]string
		if yaml.Unmarshal(out, &back) != nil {
			return ""
		}
		return back["description"]
	})
}

func (t yamlItemText) MarshalYAML() (any, error) {
	doc := map[string][]map[string]string{"services": {{"description": string(t)}}}
	return safeText(string(t), doc, func(out []byte) string {
		var back map[string][]map[string]string
		if yaml.Unmarshal(out, &back) != nil || len(back["services"]) != 1 {
			return ""
		}
		return back["services"][0]["description"]
	})
}

// safeText returns s as it is when it holds no line break or when doc, a
// document that holds s where the model would, reads back with s intact;
// else a double-quoted node.
func safeText(s string, doc any, read func([]byte) string) (any, error) {
	if !strings.Contains(s, "\n") {
		return s, nil
	}
	var buf bytes.Buffer
	if encodeYAMLDoc(&buf, doc) == nil && read(buf.Bytes()) == s {
		return s, nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: s}, nil
}

// yamlHead, yamlService and yamlDependency are the parts of a model that
// hold descriptions, field for field, with yamlText for the descriptions.
type yamlHead struct {
	Version     int      `yaml:"version"`
	Name        string   `yaml:"name"`
	Description yamlText `yaml:"description,omitempty"`
	Settings    Settings `yaml:"settings"`
}

type yamlService struct {
	Name        string       `yaml:"name"`
	Kind        ServiceKind  `yaml:"kind"`
	Team        string       `yaml:"team,omitempty"`
	Tech        string       `yaml:"tech,omitempty"`
	Description yamlItemText `yaml:"description,omitempty"`
}

type yamlDependency struct {
	From            string       `yaml:"from"`
	To              string       `yaml:"to"`
	Protocol        Protocol     `yaml:"protocol"`
	Mode            Mode         `yaml:"mode"`
	CallsPerRequest float64      `yaml:"calls_per_request"`
	Description     yamlItemText `yaml:"description,omitempty"`
}

// yamlAcceptedRisk is an AcceptedRisk whose reason is written as a
// description is. expires is quoted so that it reads back as the text it is
// rather than as a YAML timestamp.
type yamlAcceptedRisk struct {
	Rule     string       `yaml:"rule"`
	Subjects []string     `yaml:"subjects"`
	Reason   yamlItemText `yaml:"reason"`
	Owner    string       `yaml:"owner,omitempty"`
	Expires  string       `yaml:"expires,omitempty"`
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
	if len(c.AcceptedRisks) > 0 {
		jsonList(&w, "accepted_risks", c.AcceptedRisks)
	}
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
