package importer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/archmap/archmap/topology"
)

// builder assembles a model from what an importer found, and keeps the
// evidence for each dependency so that the report can cite it.
type builder struct {
	rep        *Report
	model      topology.Model
	info       map[string]*svcInfo
	edges      map[[2]string][]evidence
	externals  map[string]string // host → name of the external service made for it
	placements map[[2]string]int // (service, server) → index in model.Placements
	// runOnce are tasks that run to completion (Kubernetes Jobs, compose
	// tasks others wait to complete): no request waits on what they call,
	// so their calls are asynchronous and they are no sync caller of what
	// they initialise.
	runOnce map[string]bool
}

type svcInfo struct {
	kind      topology.ServiceKind
	image     string
	telemetry bool
	order     int
}

// evidence is one reason to believe that a service calls another.
type evidence struct {
	// declared is depends_on or links: it says the callee must exist, not
	// how it is called, so address evidence decides protocol and mode.
	declared bool
	proto    topology.Protocol
	async    bool
	reason   string
	file     string
	line     int
}

func newBuilder() *builder {
	return &builder{
		rep:        &Report{},
		info:       map[string]*svcInfo{},
		edges:      map[[2]string][]evidence{},
		externals:  map[string]string{},
		placements: map[[2]string]int{},
		runOnce:    map[string]bool{},
	}
}

// addService adds a service under a unique, valid name and returns that name.
func (b *builder) addService(name string, kind topology.ServiceKind, tech, image string) string {
	name = b.uniqueName(sanitizeName(name))
	s := topology.Service{Name: name, Kind: kind, Tech: sanitizeText(tech, topology.MaxLabelLen)}
	if image != "" {
		s.Description = sanitizeText("image "+image, topology.MaxDescriptionLen)
	}
	b.model.Services = append(b.model.Services, s)
	b.info[name] = &svcInfo{kind: kind, image: image, telemetry: isTelemetry(image, name), order: len(b.model.Services)}
	return name
}

// setTeam sets the team of a service added before.
func (b *builder) setTeam(service, team string) {
	if in, ok := b.info[service]; ok {
		b.model.Services[in.order-1].Team = sanitizeText(team, topology.MaxLabelLen) // order counts from 1
	}
}

func (b *builder) uniqueName(name string) string {
	if _, taken := b.info[name]; !taken {
		return name
	}
	for i := 2; ; i++ {
		suffix := fmt.Sprintf(" (%d)", i)
		base := []rune(name)
		if len(base)+len([]rune(suffix)) > topology.MaxNameLen {
			base = base[:topology.MaxNameLen-len([]rune(suffix))]
		}
		if n := string(base) + suffix; b.info[n] == nil {
			return n
		}
	}
}

func (b *builder) addServer(s topology.Server) {
	b.model.Servers = append(b.model.Servers, s)
}

// place adds instances of a service to a server, merging with an existing
// placement of the pair.
func (b *builder) place(service, server string, instances int) {
	k := [2]string{service, server}
	if i, ok := b.placements[k]; ok {
		b.model.Placements[i].Instances += instances
		return
	}
	b.placements[k] = len(b.model.Placements)
	b.model.Placements = append(b.model.Placements, topology.Placement{Service: service, Server: server, Instances: instances})
}

// external returns the external service standing for a host the input does
// not deploy, creating it on first use.
func (b *builder) external(host string) (name string, created bool) {
	if n, ok := b.externals[host]; ok {
		return n, false
	}
	n := b.addService(host, topology.KindExternal, "", "")
	b.externals[host] = n
	return n, true
}

// addressHint is what was known about the address besides its host.
type addressHint struct {
	ref      addrRef
	key      keyKind
	portName string // the Kubernetes Service port's name or appProtocol
}

// addressEvidence records that from calls to because an address in its
// configuration names it, guessing protocol and mode from what the target is
// and what the address and its key say.
func (b *builder) addressEvidence(from, to string, h addressHint, reason, file string, line int) {
	if from == to {
		return
	}
	t, f := b.info[to], b.info[from]
	proto := kindProtocol(t.kind)
	if proto == "" {
		proto = schemeProtocol(h.ref.scheme)
	}
	if proto == "" || proto == topology.ProtocolHTTP {
		switch {
		case h.key.grpc, strings.Contains(strings.ToLower(h.portName), "grpc"), h.ref.port == "4317",
			strings.Contains(strings.ToLower(t.image), "grpc"):
			proto = topology.ProtocolGRPC
		case proto == "":
			proto = topology.ProtocolHTTP
		}
	}
	ev := evidence{proto: proto, reason: reason, file: file, line: line}
	switch {
	case proto == topology.ProtocolQueue:
		ev.async = true
	case h.key.telemetry || t.telemetry || f.telemetry:
		ev.async = true
		ev.reason += " (telemetry: async)"
	case h.key.health || isHealthPath(h.ref.path):
		ev.async = true
		ev.reason += " (health check: async)"
	case b.runOnce[from]:
		ev.async = true
		ev.reason += " (run-once task: async)"
	}
	k := [2]string{from, to}
	b.edges[k] = append(b.edges[k], ev)
}

// declaredEvidence records depends_on and links.
func (b *builder) declaredEvidence(from, to, reason, file string, line int) {
	if from == to {
		return
	}
	t, f := b.info[to], b.info[from]
	proto := kindProtocol(t.kind)
	if proto == "" {
		proto = topology.ProtocolHTTP
		if strings.Contains(strings.ToLower(t.image), "grpc") {
			proto = topology.ProtocolGRPC
		}
	}
	ev := evidence{declared: true, proto: proto, reason: reason, file: file, line: line}
	switch {
	case proto == topology.ProtocolQueue:
		ev.async = true
	case t.telemetry || f.telemetry:
		ev.async = true
		ev.reason += " (telemetry: async)"
	case b.runOnce[from]:
		ev.async = true
		ev.reason += " (run-once task: async)"
	}
	k := [2]string{from, to}
	b.edges[k] = append(b.edges[k], ev)
}

// kindProtocol is the protocol a target's kind implies, or "".
func kindProtocol(k topology.ServiceKind) topology.Protocol {
	switch k {
	case topology.KindDatabase:
		return topology.ProtocolSQL
	case topology.KindQueue:
		return topology.ProtocolQueue
	case topology.KindCache:
		return topology.ProtocolTCP
	}
	return ""
}

// finish turns the evidence into dependencies, fills the report, and checks
// the model as the store would.
func (b *builder) finish(name string) (*topology.Model, *Report, error) {
	b.model.Name = sanitizeName(name)
	keys := make([][2]string, 0, len(b.edges))
	for k := range b.edges {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		if a[0] != c[0] {
			return b.info[a[0]].order < b.info[c[0]].order
		}
		return b.info[a[1]].order < b.info[c[1]].order
	})
	for _, k := range keys {
		evs := b.edges[k]
		// Addresses say how a service calls; depends_on only that it does.
		var use []evidence
		for _, e := range evs {
			if !e.declared {
				use = append(use, e)
			}
		}
		if len(use) == 0 {
			use = evs
		}
		proto, mode := topology.ProtocolHTTP, topology.ModeAsync
		for _, e := range use {
			if e.proto != topology.ProtocolHTTP && proto == topology.ProtocolHTTP {
				proto = e.proto
			}
			if !e.async {
				mode = topology.ModeSync
			}
		}
		primary := use[0]
		var reasons []string
		seen := map[string]bool{}
		for _, list := range [][]evidence{use, evs} {
			for _, e := range list {
				r := e.reason
				switch {
				case e.file != primary.file:
					r += " at " + location(e.file, e.line)
				case e.line != primary.line && e.line > 0:
					r += fmt.Sprintf(" at line %d", e.line)
				}
				if !seen[r] {
					seen[r] = true
					reasons = append(reasons, r)
				}
			}
		}
		b.model.Dependencies = append(b.model.Dependencies, topology.Dependency{From: k[0], To: k[1], Protocol: proto, Mode: mode})
		b.rep.Dependencies = append(b.rep.Dependencies, InferredDependency{
			From: k[0], To: k[1], Protocol: proto, Mode: mode,
			Reason: strings.Join(reasons, "; "), File: primary.file, Line: primary.line,
		})
	}

	instances := map[string]int{}
	placedOn := map[string]int{} // servers
	for _, p := range b.model.Placements {
		instances[p.Service] += p.Instances
		placedOn[p.Service]++
	}
	for _, s := range b.model.Services {
		switch {
		case s.Kind == topology.KindExternal:
			b.rep.Created = append(b.rep.Created, fmt.Sprintf("service %s (external, not deployed by the input)", s.Name))
		case instances[s.Name] == 0:
			b.rep.Created = append(b.rep.Created, fmt.Sprintf("service %s (%s, not placed)", s.Name, s.Kind))
		case b.runOnce[s.Name] && placedOn[s.Name] > 1:
			b.rep.Created = append(b.rep.Created, fmt.Sprintf("service %s (%s, run-once: placed on each of the %d servers it may run on)", s.Name, s.Kind, placedOn[s.Name]))
		default:
			b.rep.Created = append(b.rep.Created, fmt.Sprintf("service %s (%s, %s)", s.Name, s.Kind, plural(instances[s.Name], "instance")))
		}
	}
	for _, s := range b.model.Servers {
		line := fmt.Sprintf("server %s (%s", s.Name, s.Kind)
		if s.Zone != "" {
			line += ", zone " + s.Zone
		}
		b.rep.Created = append(b.rep.Created, line+")")
	}

	m := &b.model
	m.ApplyDefaults()
	if err := m.Validate(); err != nil {
		// Names and values are sanitized above, so this means the input
		// holds something the model cannot (a name made only of spaces...).
		return nil, b.rep, topology.Errorf(topology.EINVALID, "the imported model is not valid: %s", topology.ErrorMessage(err))
	}
	return m, b.rep, nil
}

func location(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
