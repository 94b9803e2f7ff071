package topology

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Input bounds. A model file is small; these stop a hostile one from costing
// more than a moment: 5 MiB in all, a handful of nesting levels (a model is
// four deep), and a budget for nodes reached through YAML aliases so an alias
// bomb ("billion laughs") is refused instead of expanded.
const (
	MaxInputSize   = 5 << 20
	maxDepth       = 32
	maxAliasBudget = 1 << 17
)

// Source remembers where each part of a parsed model came from, so problems
// and findings can point at a line of the file.
type Source struct {
	// root is the parsed tree, lines and all. Looking a path up in it when
	// asked costs nothing while parsing, where a table of every path's line
	// cost a quarter of the time of a large model.
	root *yaml.Node
}

// Line returns the 1-based line of path ("services[3].name"), or of its
// nearest ancestor that has one; 0 when unknown. A field's line is the line
// of its name.
func (s *Source) Line(path string) int {
	if s == nil || s.root == nil {
		return 0
	}
	n, line := s.root, s.root.Line
	for path != "" {
		n = resolveAlias(n)
		var key string
		index := -1
		switch {
		case path[0] == '.':
			path = path[1:]
			continue
		case path[0] == '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return line
			}
			i, err := strconv.Atoi(path[1:end])
			if err != nil {
				return line
			}
			index, path = i, path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			key, path = path[:end], path[end:]
		}
		switch {
		case index >= 0 && n.Kind == yaml.SequenceNode && index < len(n.Content):
			n = n.Content[index]
			line = n.Line
		case index < 0 && n.Kind == yaml.MappingNode:
			k := mappingKey(n, key)
			if k < 0 {
				return line
			}
			line = n.Content[k].Line
			n = n.Content[k+1]
		default:
			return line
		}
	}
	return line
}

// mappingKey returns the index in n.Content of the first key named key, or -1.
func mappingKey(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := resolveAlias(n.Content[i]); k.Kind == yaml.ScalarNode && k.Value == key {
			return i
		}
	}
	return -1
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	// Aliases to aliases cannot be written in YAML; the bound is for safety.
	for i := 0; i < 8 && n != nil && n.Kind == yaml.AliasNode; i++ {
		n = n.Alias
	}
	return n
}

// Parse reads a model from YAML or JSON (docs/model.md), applies defaults and
// validates it. Errors are a *ValidationError listing every problem with its
// place (and line), or a *Error for input that is too large.
func Parse(data []byte) (*Model, error) {
	m, _, err := ParseSource(data)
	return m, err
}

// Read is Parse for a reader, refusing input over MaxInputSize without
// reading more than that.
func Read(r io.Reader) (*Model, error) {
	data, err := ReadAllBounded(r, MaxInputSize)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// ReadAllBounded reads all of r, or fails with ETOOLARGE once it passes limit bytes.
func ReadAllBounded(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, Errorf(ETOOLARGE, "input is larger than %d MiB", limit>>20)
	}
	return data, nil
}

// ParseSource is Parse that also returns where each part came from.
func ParseSource(data []byte) (*Model, *Source, error) {
	if len(data) > MaxInputSize {
		return nil, nil, Errorf(ETOOLARGE, "model is larger than %d MiB", MaxInputSize>>20)
	}
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD and store a
	// name the user never wrote; refuse it, for YAML too, with its line.
	if !utf8.Valid(data) {
		return nil, nil, &ValidationError{Problems: []Problem{{Message: "the model is not valid UTF-8", Line: firstInvalidUTF8Line(data)}}}
	}
	// A byte order mark is allowed in YAML and a habit of some editors;
	// encoding/json would call it a syntax error.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var root *yaml.Node
	var err error
	if isJSON(data) {
		root, err = jsonToNode(data)
		var le *lineError
		if err != nil && !(errors.As(err, &le) && le.tooDeep) {
			// YAML written in flow style ("{name: shop, ...}") starts like
			// JSON; a file that is valid YAML is a valid model file.
			if yroot, yerr := yamlToNode(data); yerr == nil {
				root, err = yroot, nil
			}
		}
	} else {
		root, err = yamlToNode(data)
	}
	if err != nil {
		return nil, nil, &ValidationError{Problems: []Problem{{Message: err.Error(), Line: lineOf(err)}}}
	}
	if root.Kind != yaml.MappingNode {
		// Nothing below would make sense: say this one thing.
		return nil, nil, &ValidationError{Problems: []Problem{{
			Message: fmt.Sprintf("the model must be a mapping of fields (%s), got %s", strings.Join(modelFields, ", "), describe(root)),
			Line:    root.Line,
		}}}
	}
	d := decoder{src: &Source{root: root}}
	m := &Model{}
	d.model(root, m)
	if d.bomb != nil {
		return nil, d.src, &ValidationError{Problems: []Problem{*d.bomb}}
	}
	m.ApplyDefaults()
	for _, undo := range d.zeros {
		undo()
	}
	problems := append([]Problem(nil), d.problems...)
	dropped := d.dropped
	if verr := m.Validate(); verr != nil {
		// A field that failed to decode would also fail validation as
		// "required"; say only the first, truer thing.
		failed := make(map[string]bool, len(d.problems))
		for _, p := range d.problems {
			failed[p.Path] = true
		}
		for _, p := range verr.(*ValidationError).Problems {
			switch {
			case p == tooManyProblems:
				dropped = true
			case !coveredBy(p.Path, failed):
				problems = append(problems, p)
			}
		}
	}
	if len(problems) > 0 {
		for i := range problems {
			if problems[i].Line == 0 {
				problems[i].Line = d.src.Line(problems[i].Path)
			}
		}
		// Read top to bottom, like the file.
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
		if len(problems) > maxProblems {
			problems, dropped = problems[:maxProblems], true
		}
		if dropped {
			problems = append(problems, tooManyProblems)
		}
		return nil, d.src, &ValidationError{Problems: problems}
	}
	return m, d.src, nil
}

// lineOfText returns the line of the first occurrence of text in data, or 0.
func lineOfText(data []byte, text string) int {
	i := bytes.Index(data, []byte(text))
	if i < 0 {
		return 0
	}
	return 1 + bytes.Count(data[:i], []byte("\n"))
}

// firstRefusedLine returns the line of the first character YAML does not
// allow in a file (control characters other than tab and line breaks), or 0.
func firstRefusedLine(data []byte) int {
	line := 1
	for _, r := range string(data) {
		switch {
		case r == '\n':
			line++
		case r == '\t' || r == '\r' || r == 0x85:
		case r < 0x20, r >= 0x7f && r < 0xa0, r == 0xfffe, r == 0xffff, r >= 0xd800 && r < 0xe000:
			return line
		}
	}
	return 0
}

func firstInvalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size == 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

// coveredBy reports whether path or one of its ancestors failed to decode.
// It looks up each ancestor rather than scanning every problem, because a
// hostile file can carry hundreds of thousands of problems of each sort.
func coveredBy(path string, failed map[string]bool) bool {
	for {
		if failed[path] {
			return true
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return false
		}
		path = path[:i]
	}
}

func isJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// lineError is a syntax error with the line it was found on.
type lineError struct {
	line    int
	msg     string
	tooDeep bool // JSON nested past maxDepth
}

func (e *lineError) Error() string { return e.msg }

func lineOf(err error) int {
	var le *lineError
	if errors.As(err, &le) {
		return le.line
	}
	return 0
}

func yamlToNode(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the model is empty")
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if i := strings.IndexByte(rest, ':'); i > 0 {
				line, _ = strconv.Atoi(rest[:i])
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
		if line == 0 {
			// Some errors come without a line: find it.
			if name, ok := strings.CutPrefix(msg, "unknown anchor '"); ok {
				name, _, _ = strings.Cut(name, "'")
				line = lineOfText(data, "*"+name)
			} else {
				line = firstRefusedLine(data)
			}
		}
		return nil, &lineError{line: line, msg: "invalid YAML: " + msg}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &lineError{line: extra.Line, msg: "invalid YAML: a model file holds one document, found another"}
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, errors.New("the model is empty")
	}
	return doc.Content[0], nil
}

// jsonToNode parses JSON into the same tree the YAML parser gives, with lines,
// so one decoder serves both. encoding/json alone would hide duplicate keys
// and lose positions.
func jsonToNode(data []byte) (*yaml.Node, error) {
	lines := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var value func(depth int) (*yaml.Node, error)
	value = func(depth int) (*yaml.Node, error) {
		if depth > maxDepth {
			return nil, &lineError{line: lines.at(dec.InputOffset()), msg: fmt.Sprintf("invalid JSON: nested deeper than %d levels", maxDepth), tooDeep: true}
		}
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(err, lines, dec.InputOffset())
		}
		line := lines.at(off + leadingSpace(data[off:]))
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line}
				for dec.More() {
					koff := dec.InputOffset()
					ktok, err := dec.Token()
					if err != nil {
						return nil, jsonError(err, lines, dec.InputOffset())
					}
					key, _ := ktok.(string)
					k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: lines.at(koff + leadingSpace(data[koff:]))}
					v, err := value(depth + 1)
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, k, v)
				}
				if _, err := dec.Token(); err != nil {
					return nil, jsonError(err, lines, dec.InputOffset())
				}
				return n, nil
			case '[':
				n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: line}
				for dec.More() {
					v, err := value(depth + 1)
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, v)
				}
				if _, err := dec.Token(); err != nil {
					return nil, jsonError(err, lines, dec.InputOffset())
				}
				return n, nil
			}
		case string:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t, Line: line}, nil
		case json.Number:
			tag := "!!float"
			if _, err := strconv.ParseInt(string(t), 10, 64); err == nil {
				tag = "!!int"
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t), Line: line}, nil
		case bool:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t), Line: line}, nil
		case nil:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", Line: line}, nil
		}
		return nil, &lineError{line: line, msg: "invalid JSON"}
	}
	root, err := value(0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &lineError{line: lines.at(dec.InputOffset()), msg: "invalid JSON: unexpected data after the model"}
	}
	return root, nil
}

func jsonError(err error, lines lineIndex, off int64) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &lineError{line: lines.at(off), msg: "invalid JSON: unexpected end of input"}
	}
	return &lineError{line: lines.at(off), msg: "invalid JSON: " + err.Error()}
}

func leadingSpace(b []byte) int64 {
	n := 0
	for n < len(b) && (b[n] == ' ' || b[n] == '\t' || b[n] == '\r' || b[n] == '\n' || b[n] == ',' || b[n] == ':') {
		n++
	}
	return int64(n)
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int64

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, int64(i+1))
		}
	}
	return idx
}

func (l lineIndex) at(off int64) int {
	return sort.Search(len(l), func(i int) bool { return l[i] > off })
}

// decoder walks the node tree into a Model, collecting every problem rather
// than stopping at the first.
type decoder struct {
	src      *Source
	problems []Problem
	dropped  bool     // problems past maxProblems were not kept
	bomb     *Problem // where aliases went over budget
	budget   int
	// zeros put back the numbers the user wrote as 0 once defaults have been
	// applied: a written 0 must fail validation, not turn into the default.
	zeros []func()
}

func (d *decoder) fail(path string, n *yaml.Node, format string, args ...any) {
	if d.full() {
		return
	}
	d.problems = append(d.problems, Problem{Path: path, Line: n.Line, Message: fmt.Sprintf(format, args...)})
}

// full reports whether no more problems are kept, so that callers can skip
// describing one.
func (d *decoder) full() bool {
	if len(d.problems) >= maxProblems {
		d.dropped = true
		return true
	}
	return false
}

// resolve follows aliases, charging each node reached through one against a
// budget so that nested aliases cannot multiply into billions of nodes.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
		d.budget += countNodes(n, maxAliasBudget-d.budget+1)
	}
	return n
}

func countNodes(n *yaml.Node, limit int) int {
	if n == nil || limit <= 0 {
		return 0
	}
	c := 1
	for _, ch := range n.Content {
		if c > limit {
			break
		}
		c += countNodes(ch, limit-c)
	}
	return c
}

// overBudget reports whether aliases have reached too many nodes. The
// first place where they did is the one problem Parse then reports: listing
// what the aliases repeat would bury it.
func (d *decoder) overBudget(path string, n *yaml.Node) bool {
	if d.budget <= maxAliasBudget {
		return false
	}
	if d.bomb == nil {
		d.bomb = &Problem{Path: path, Line: n.Line, Message: fmt.Sprintf("too many nodes reached through YAML aliases (more than %d); write the model out", maxAliasBudget)}
	}
	return true
}

// fields walks a mapping, calling set for each known key; unknown and
// repeated keys are problems.
func (d *decoder) fields(path string, n *yaml.Node, known []string, set func(key string, v *yaml.Node)) {
	n = d.resolve(n)
	if d.overBudget(path, n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.fail(path, n, "must be a mapping of fields, got %s", describe(n))
		return
	}
	var seen uint64 // by index in known
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := d.resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(path, k, "field names must be text")
			continue
		}
		if k.Value == "<<" {
			d.fail(path, k, "YAML merge keys (<<) are not supported; write the fields out")
			continue
		}
		switch i := indexOf(known, k.Value); {
		case i < 0 && d.full():
		case i < 0:
			d.fail(join(path, k.Value), k, "unknown field %s; want one of %s", strconv.Quote(k.Value), strings.Join(known, ", "))
		case seen&(1<<i) != 0:
			d.fail(join(path, k.Value), k, "field given twice")
		default:
			seen |= 1 << i
			set(known[i], v)
		}
	}
}

// list walks a sequence. reserve, when given, learns the length first, so
// the caller can size its slice and keep pointers into it stable.
func (d *decoder) list(path string, n *yaml.Node, reserve func(int), item func(i int, path string, v *yaml.Node)) {
	n = d.resolve(n)
	if d.overBudget(path, n) {
		return
	}
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(path, n, "must be a list, got %s", describe(n))
		return
	}
	// An empty list stays nil, as a missing one does, so that a model reads
	// the same whether its file says "placements: []" or nothing.
	if reserve != nil && len(n.Content) > 0 {
		reserve(len(n.Content))
	}
	for i, v := range n.Content {
		ip := path + "[" + strconv.Itoa(i) + "]"
		item(i, ip, v)
	}
}

// str, integer and number decode the field key of the mapping at path.
func (d *decoder) str(path, key string, n *yaml.Node, dst *string) {
	n = d.resolve(n)
	switch {
	case isNull(n):
	case n.Kind != yaml.ScalarNode:
		d.fail(join(path, key), n, "must be text, got %s", describe(n))
	default:
		// A YAML scalar that reads as a number or boolean ("2024", "yes") is
		// still taken as the text the user typed.
		*dst = n.Value
	}
}

func (d *decoder) integer(path, key string, n *yaml.Node, dst *int) {
	n = d.resolve(n)
	if isNull(n) {
		return
	}
	if v, ok := intValue(n); ok {
		*dst = v
		return
	}
	if f, ok := floatValue(n); ok && f == float64(int(f)) {
		*dst = int(f)
		return
	}
	d.fail(join(path, key), n, "must be an integer, got %s", describe(n))
}

func (d *decoder) number(path, key string, n *yaml.Node, dst *float64) {
	n = d.resolve(n)
	if isNull(n) {
		return
	}
	f, ok := floatValue(n)
	if !ok {
		d.fail(join(path, key), n, "must be a number, got %s", describe(n))
		return
	}
	*dst = f
}

func intValue(n *yaml.Node) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return 0, false
	}
	if v, ok := decimal(n.Value); ok {
		return v, true
	}
	// The other spellings YAML has for integers: 0x1f, 0o17, 1_000.
	var v int
	if err := n.Decode(&v); err != nil {
		return 0, false
	}
	return v, true
}

func floatValue(n *yaml.Node) (float64, bool) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		return 0, false
	}
	if v, ok := decimal(n.Value); ok {
		return float64(v), true
	}
	var f float64
	if err := n.Decode(&f); err != nil {
		return 0, false
	}
	return f, true
}

// decimal reads the common spelling of an integer (-12, 0, 7) without the
// cost of a yaml decoder; it refuses "010", which YAML reads as octal.
func decimal(s string) (int, bool) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || len(digits) > 18 || (digits[0] == '0' && len(digits) > 1) {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.Atoi(s)
	return v, err == nil
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		if n.Tag == "!!str" {
			return strconv.Quote(v)
		}
		return v
	}
	return "something else"
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// The fields of each part of a model file, in the order of docs/model.md.
var (
	modelFields      = []string{"version", "name", "description", "settings", "services", "servers", "placements", "dependencies", "accepted_risks"}
	settingsFields   = []string{"chatty_calls_per_request", "max_sync_chain", "blast_radius"}
	serviceFields    = []string{"name", "kind", "team", "tech", "description"}
	serverFields     = []string{"name", "kind", "zone", "region"}
	placementFields  = []string{"service", "server", "instances"}
	dependencyFields = []string{"from", "to", "protocol", "mode", "calls_per_request", "description"}
	acceptedFields   = []string{"rule", "subjects", "reason", "owner", "expires"}
)

func (d *decoder) model(n *yaml.Node, m *Model) {
	d.fields("", n, modelFields, func(key string, v *yaml.Node) {
		switch key {
		case "version":
			d.integer("", key, v, &m.Version)
			keepZero(d, v, &m.Version)
		case "name":
			d.str("", key, v, &m.Name)
		case "description":
			d.str("", key, v, &m.Description)
		case "settings":
			d.settings(key, v, &m.Settings)
		case "services":
			d.list(key, v, func(n int) { m.Services = make([]Service, 0, n) }, func(i int, ip string, v *yaml.Node) {
				var s Service
				d.fields(ip, v, serviceFields, func(key string, v *yaml.Node) {
					switch key {
					case "name":
						d.str(ip, key, v, &s.Name)
					case "kind":
						d.str(ip, key, v, (*string)(&s.Kind))
					case "team":
						d.str(ip, key, v, &s.Team)
					case "tech":
						d.str(ip, key, v, &s.Tech)
					case "description":
						d.str(ip, key, v, &s.Description)
					}
				})
				m.Services = append(m.Services, s)
			})
		case "servers":
			d.list(key, v, func(n int) { m.Servers = make([]Server, 0, n) }, func(i int, ip string, v *yaml.Node) {
				var s Server
				d.fields(ip, v, serverFields, func(key string, v *yaml.Node) {
					switch key {
					case "name":
						d.str(ip, key, v, &s.Name)
					case "kind":
						d.str(ip, key, v, (*string)(&s.Kind))
					case "zone":
						d.str(ip, key, v, &s.Zone)
					case "region":
						d.str(ip, key, v, &s.Region)
					}
				})
				m.Servers = append(m.Servers, s)
			})
		case "placements":
			d.list(key, v, func(n int) { m.Placements = make([]Placement, 0, n) }, func(i int, ip string, v *yaml.Node) {
				m.Placements = append(m.Placements, Placement{})
				pl := &m.Placements[len(m.Placements)-1]
				d.fields(ip, v, placementFields, func(key string, v *yaml.Node) {
					switch key {
					case "service":
						d.str(ip, key, v, &pl.Service)
					case "server":
						d.str(ip, key, v, &pl.Server)
					case "instances":
						d.integer(ip, key, v, &pl.Instances)
						keepZero(d, v, &pl.Instances)
					}
				})
			})
		case "dependencies":
			d.list(key, v, func(n int) { m.Dependencies = make([]Dependency, 0, n) }, func(i int, ip string, v *yaml.Node) {
				m.Dependencies = append(m.Dependencies, Dependency{})
				dep := &m.Dependencies[len(m.Dependencies)-1]
				d.fields(ip, v, dependencyFields, func(key string, v *yaml.Node) {
					switch key {
					case "from":
						d.str(ip, key, v, &dep.From)
					case "to":
						d.str(ip, key, v, &dep.To)
					case "protocol":
						d.str(ip, key, v, (*string)(&dep.Protocol))
					case "mode":
						d.str(ip, key, v, (*string)(&dep.Mode))
					case "calls_per_request":
						d.number(ip, key, v, &dep.CallsPerRequest)
						keepZero(d, v, &dep.CallsPerRequest)
					case "description":
						d.str(ip, key, v, &dep.Description)
					}
				})
			})
		case "accepted_risks":
			d.list(key, v, func(n int) { m.AcceptedRisks = make([]AcceptedRisk, 0, n) }, func(i int, ip string, v *yaml.Node) {
				m.AcceptedRisks = append(m.AcceptedRisks, AcceptedRisk{})
				a := &m.AcceptedRisks[len(m.AcceptedRisks)-1]
				d.fields(ip, v, acceptedFields, func(key string, v *yaml.Node) {
					switch key {
					case "rule":
						d.str(ip, key, v, &a.Rule)
					case "subjects":
						sp := join(ip, key)
						d.list(sp, v, func(n int) { a.Subjects = make([]string, 0, n) }, func(i int, isp string, v *yaml.Node) {
							v = d.resolve(v)
							if v.Kind != yaml.ScalarNode || isNull(v) {
								d.fail(isp, v, "must be text, got %s", describe(v))
								// Kept in place, so the list is not also
								// "required"; validation's problem with it
								// is covered by this one.
								a.Subjects = append(a.Subjects, "")
								return
							}
							a.Subjects = append(a.Subjects, v.Value)
						})
					case "reason":
						d.str(ip, key, v, &a.Reason)
					case "owner":
						d.str(ip, key, v, &a.Owner)
					case "expires":
						// YAML reads 2027-03-31 as a timestamp; str keeps
						// the text as written, which is what is validated.
						d.str(ip, key, v, &a.Expires)
					}
				})
			})
		}
	})
}

func keepZero[T int | float64](d *decoder, v *yaml.Node, dst *T) {
	if *dst == 0 && !isNull(resolveAlias(v)) {
		d.zeros = append(d.zeros, func() { *dst = 0 })
	}
}

func (d *decoder) settings(p string, v *yaml.Node, s *Settings) {
	d.fields(p, v, settingsFields, func(key string, v *yaml.Node) {
		switch key {
		case "chatty_calls_per_request":
			d.number(p, key, v, &s.ChattyCallsPerRequest)
			keepZero(d, v, &s.ChattyCallsPerRequest)
		case "max_sync_chain":
			d.integer(p, key, v, &s.MaxSyncChain)
			keepZero(d, v, &s.MaxSyncChain)
		case "blast_radius":
			d.integer(p, key, v, &s.BlastRadius)
			keepZero(d, v, &s.BlastRadius)
		}
	})
}
