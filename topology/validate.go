package topology

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Bounds on text fields. Names are bounded by docs/model.md; the rest keep a
// single field from carrying a whole document.
const (
	MaxNameLen         = 100
	MaxLabelLen        = 100  // team, tech, zone, region
	MaxDescriptionLen  = 4000 // descriptions may hold several lines
	MaxCallsPerRequest = 1e9
	// MaxInstances bounds a placement's instances: far above any real
	// deployment, and low enough that the sum over every placement of a
	// model of the largest accepted size stays far from overflowing.
	MaxInstances = 1_000_000
)

// Validate checks the model against every rule of docs/model.md and returns a
// *ValidationError listing all problems, or nil. Call ApplyDefaults first:
// empty kinds, modes and zero counts are treated as missing values here.
func (m *Model) Validate() error {
	var v validator
	if m.Version != FormatVersion {
		v.add("version", "unsupported format version %d (this archmap reads version %d)", m.Version, FormatVersion)
	}
	v.name(place{}, "name", m.Name)
	v.text(place{}, "description", m.Description, MaxDescriptionLen, true)
	m.Settings.validate(&v)

	services := make(map[string]int, len(m.Services))
	serviceLook := lookalikes{list: "services", first: make(map[string]int, len(m.Services)), names: m.serviceName}
	for i := range m.Services {
		s := &m.Services[i]
		p := at("services", i)
		s.validate(&v, p)
		if s.Name == "" {
			continue // already "required"; not a duplicate of another missing name
		}
		if first, dup := services[s.Name]; dup {
			v.add(p.field("name"), "duplicate name %s (first at services[%d])", strconv.Quote(s.Name), first)
		} else {
			services[s.Name] = i
			serviceLook.check(&v, p, s.Name, i)
		}
	}
	servers := make(map[string]int, len(m.Servers))
	serverLook := lookalikes{list: "servers", first: make(map[string]int, len(m.Servers)), names: m.serverName}
	for i := range m.Servers {
		s := &m.Servers[i]
		p := at("servers", i)
		s.validate(&v, p)
		if s.Name == "" {
			continue // already "required"; not a duplicate of another missing name
		}
		if first, dup := servers[s.Name]; dup {
			v.add(p.field("name"), "duplicate name %s (first at servers[%d])", strconv.Quote(s.Name), first)
		} else {
			servers[s.Name] = i
			serverLook.check(&v, p, s.Name, i)
		}
	}
	type pair struct{ a, b string }
	placed := make(map[pair]int, len(m.Placements))
	for i := range m.Placements {
		pl := &m.Placements[i]
		p := at("placements", i)
		pl.validate(&v, p)
		if _, ok := services[pl.Service]; !ok && pl.Service != "" {
			v.add(p.field("service"), "unknown service %s", strconv.Quote(pl.Service))
		}
		if _, ok := servers[pl.Server]; !ok && pl.Server != "" {
			v.add(p.field("server"), "unknown server %s", strconv.Quote(pl.Server))
		}
		k := pair{pl.Service, pl.Server}
		if first, dup := placed[k]; dup && pl.Service != "" && pl.Server != "" {
			v.add(p.String(), "service %s is already placed on server %s (placements[%d])", strconv.Quote(pl.Service), strconv.Quote(pl.Server), first)
		} else {
			placed[k] = i
		}
	}
	deps := make(map[pair]int, len(m.Dependencies))
	for i := range m.Dependencies {
		d := &m.Dependencies[i]
		p := at("dependencies", i)
		d.validate(&v, p)
		if _, ok := services[d.From]; !ok && d.From != "" {
			v.add(p.field("from"), "unknown service %s", strconv.Quote(d.From))
		}
		if _, ok := services[d.To]; !ok && d.To != "" {
			v.add(p.field("to"), "unknown service %s", strconv.Quote(d.To))
		}
		k := pair{d.From, d.To}
		if first, dup := deps[k]; dup && d.From != "" && d.To != "" {
			v.add(p.String(), "duplicate dependency %s -> %s (dependencies[%d])", strconv.Quote(d.From), strconv.Quote(d.To), first)
		} else {
			deps[k] = i
		}
	}
	accepted := make(map[string]int, len(m.AcceptedRisks))
	for i := range m.AcceptedRisks {
		a := &m.AcceptedRisks[i]
		p := at("accepted_risks", i)
		a.validate(&v, p)
		if len(a.Subjects) == 0 || a.Rule == "" {
			continue
		}
		k := a.Key()
		if first, dup := accepted[k]; dup {
			v.add(p.String(), "the same finding is already accepted at accepted_risks[%d]", first)
		} else {
			accepted[k] = i
		}
	}
	return v.err()
}

func (s *Settings) validate(v *validator) {
	if !(s.ChattyCallsPerRequest > 0) || s.ChattyCallsPerRequest > MaxCallsPerRequest {
		v.add("settings.chatty_calls_per_request", "must be a number greater than 0 and at most 1e9, got %s", formatNumber(s.ChattyCallsPerRequest))
	}
	if s.MaxSyncChain < 1 {
		v.add("settings.max_sync_chain", "must be an integer of at least 1, got %d", s.MaxSyncChain)
	}
	if s.BlastRadius < 1 {
		v.add("settings.blast_radius", "must be an integer of at least 1, got %d", s.BlastRadius)
	}
}

// Validate checks one service on its own (names, kind, text bounds); the
// model-wide rules (uniqueness) are checked by Model.Validate.
func (s *Service) Validate() error {
	var v validator
	s.validate(&v, place{})
	return v.err()
}

func (s *Service) validate(v *validator, p place) {
	v.name(p, "name", s.Name)
	if !isOneOf(s.Kind, ServiceKinds) {
		v.add(p.field("kind"), "unknown service kind %s; want one of %s", strconv.Quote(string(s.Kind)), listOf(ServiceKinds))
	}
	v.text(p, "team", s.Team, MaxLabelLen, false)
	v.text(p, "tech", s.Tech, MaxLabelLen, false)
	v.text(p, "description", s.Description, MaxDescriptionLen, true)
}

// Validate checks one server on its own.
func (s *Server) Validate() error {
	var v validator
	s.validate(&v, place{})
	return v.err()
}

func (s *Server) validate(v *validator, p place) {
	v.name(p, "name", s.Name)
	if !isOneOf(s.Kind, ServerKinds) {
		v.add(p.field("kind"), "unknown server kind %s; want one of %s", strconv.Quote(string(s.Kind)), listOf(ServerKinds))
	}
	v.text(p, "zone", s.Zone, MaxLabelLen, false)
	v.text(p, "region", s.Region, MaxLabelLen, false)
}

// Validate checks one placement on its own (not whether its names exist).
func (pl *Placement) Validate() error {
	var v validator
	pl.validate(&v, place{})
	return v.err()
}

func (pl *Placement) validate(v *validator, p place) {
	if pl.Service == "" {
		v.add(p.field("service"), "required")
	}
	if pl.Server == "" {
		v.add(p.field("server"), "required")
	}
	if pl.Instances < 1 || pl.Instances > MaxInstances {
		v.add(p.field("instances"), "must be a whole number from 1 to 1000000, got %d", pl.Instances)
	}
}

// Validate checks one dependency on its own (not whether its names exist).
func (d *Dependency) Validate() error {
	var v validator
	d.validate(&v, place{})
	return v.err()
}

func (d *Dependency) validate(v *validator, p place) {
	if d.From == "" {
		v.add(p.field("from"), "required")
	}
	if d.To == "" {
		v.add(p.field("to"), "required")
	}
	if !isOneOf(d.Protocol, Protocols) {
		v.add(p.field("protocol"), "unknown protocol %s; want one of %s", strconv.Quote(string(d.Protocol)), listOf(Protocols))
	}
	if !isOneOf(d.Mode, Modes) {
		v.add(p.field("mode"), "unknown mode %s; want one of %s", strconv.Quote(string(d.Mode)), listOf(Modes))
	}
	if !(d.CallsPerRequest > 0) || d.CallsPerRequest > MaxCallsPerRequest {
		v.add(p.field("calls_per_request"), "must be a number greater than 0 and at most 1e9, got %s", formatNumber(d.CallsPerRequest))
	}
	v.text(p, "description", d.Description, MaxDescriptionLen, true)
}

// ValidateName checks a name against docs/model.md: 1–100 characters, valid
// UTF-8, no control characters, noncharacters or bidi controls (names.go).
// It returns the problem or "".
func ValidateName(s string) string {
	switch {
	case s == "":
		return "required"
	case !utf8.ValidString(s):
		return "not valid UTF-8"
	case utf8.RuneCountInString(s) > MaxNameLen:
		return fmt.Sprintf("too long: %d characters, at most %d", utf8.RuneCountInString(s), MaxNameLen)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Sprintf("contains control character %U", r)
		}
		if msg := textProblem(r, true); msg != "" {
			return msg
		}
	}
	return ""
}

// maxProblems bounds the problems one error lists. A hostile 5 MiB file can
// break a rule on every line; a million problems would cost seconds and a
// message of a hundred megabytes while telling the user nothing more.
const maxProblems = 1000

// tooManyProblems is the last problem of a list that was cut at maxProblems.
var tooManyProblems = Problem{Message: fmt.Sprintf("too many problems; only the first %d are listed", maxProblems)}

type validator struct {
	problems []Problem
	dropped  bool
}

func (v *validator) add(path, format string, args ...any) {
	if v.full() {
		return
	}
	v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// full reports whether no more problems are kept, so that callers can skip
// spelling out one.
func (v *validator) full() bool {
	if len(v.problems) >= maxProblems {
		v.dropped = true
		return true
	}
	return false
}

func (v *validator) name(p place, field, s string) {
	if msg := ValidateName(s); msg != "" && !v.full() {
		v.add(p.field(field), "%s", msg)
	}
}

// text checks an optional free-text field; multiline allows newlines and tabs.
func (v *validator) text(p place, field, s string, max int, multiline bool) {
	if s == "" {
		return
	}
	if !utf8.ValidString(s) {
		v.add(p.field(field), "not valid UTF-8")
		return
	}
	if n := utf8.RuneCountInString(s); n > max && !v.full() {
		v.add(p.field(field), "too long: %d characters, at most %d", n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
			if !v.full() {
				v.add(p.field(field), "contains control character %U", r)
			}
			return
		}
		if msg := textProblem(r, !multiline); msg != "" {
			if !v.full() {
				v.add(p.field(field), "%s", msg)
			}
			return
		}
	}
}

// lookalikes finds names of one kind that differ only by case or invisible
// characters (NameKey); exact duplicates are reported on their own.
type lookalikes struct {
	list  string
	first map[string]int // NameKey → index of the first name with it
	names func(i int) string
}

func (l *lookalikes) check(v *validator, p place, name string, i int) {
	k := NameKey(name)
	if first, ok := l.first[k]; ok {
		v.add(p.field("name"), "%s (%s[%d])", LooksTheSame(l.names(first)), l.list, first)
		return
	}
	l.first[k] = i
}

func (m *Model) serviceName(i int) string { return m.Services[i].Name }
func (m *Model) serverName(i int) string  { return m.Servers[i].Name }

func (v *validator) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	if v.dropped {
		return &ValidationError{Problems: append(v.problems, tooManyProblems)}
	}
	return &ValidationError{Problems: v.problems}
}

// place is where in a model an entity is: services[3]; the zero place is
// the top of the model, or an entity validated on its own. Paths are only
// spelled out for problems, as a valid model of 10 000 services would
// otherwise build a quarter of a million strings for nothing.
type place struct {
	list  string
	index int
}

func at(list string, index int) place { return place{list, index} }

func (p place) String() string {
	if p.list == "" {
		return ""
	}
	return p.list + "[" + strconv.Itoa(p.index) + "]"
}

func (p place) field(f string) string {
	return join(p.String(), f)
}

func join(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

func isOneOf[T ~string](x T, valid []T) bool {
	for _, y := range valid {
		if x == y {
			return true
		}
	}
	return false
}

func listOf[T ~string](valid []T) string {
	s := ""
	for i, x := range valid {
		if i > 0 {
			s += ", "
		}
		s += string(x)
	}
	return s
}

func formatNumber(f float64) string {
	return strconv.FormatFloat(f, 'g', -1, 64)
}
