// Package topology is archmap's domain: a software system as it really runs —
// services, the servers they run on, the placements that map one onto the
// other, and the dependencies between services — with its validation and the
// model file format (docs/model.md). It knows nothing of HTTP or SQL.
package topology

// FormatVersion is the version of the model file format this code reads and writes.
const FormatVersion = 1

// Defaults of the risk thresholds (docs/model.md#settings).
const (
	DefaultChattyCallsPerRequest = 5
	DefaultMaxSyncChain          = 5
	DefaultBlastRadius           = 3
)

// Model is a whole system. The order of each slice is the user's order and is
// kept through storage and export.
type Model struct {
	Version      int          `json:"version" yaml:"version"`
	Name         string       `json:"name" yaml:"name"`
	Description  string       `json:"description,omitempty" yaml:"description,omitempty"`
	Settings     Settings     `json:"settings" yaml:"settings"`
	Services     []Service    `json:"services" yaml:"services"`
	Servers      []Server     `json:"servers" yaml:"servers"`
	Placements   []Placement  `json:"placements" yaml:"placements"`
	Dependencies []Dependency `json:"dependencies" yaml:"dependencies"`
	// AcceptedRisks are findings the team accepts, each with its reason;
	// optional, and left out of an export that has none.
	AcceptedRisks []AcceptedRisk `json:"accepted_risks,omitempty" yaml:"accepted_risks,omitempty"`
}

// Settings are the thresholds of the risk rules.
type Settings struct {
	// ChattyCallsPerRequest: a sync call across the network made at least
	// this many times per request is chatty.
	ChattyCallsPerRequest float64 `json:"chatty_calls_per_request" yaml:"chatty_calls_per_request"`
	// MaxSyncChain: the longest synchronous path (in edges) an entry service may start.
	MaxSyncChain int `json:"max_sync_chain" yaml:"max_sync_chain"`
	// BlastRadius: a server whose loss takes down this many services is flagged.
	BlastRadius int `json:"blast_radius" yaml:"blast_radius"`
}

// DefaultSettings returns the thresholds used when a model sets none.
func DefaultSettings() Settings {
	return Settings{
		ChattyCallsPerRequest: DefaultChattyCallsPerRequest,
		MaxSyncChain:          DefaultMaxSyncChain,
		BlastRadius:           DefaultBlastRadius,
	}
}

// Service is a deployable unit of software.
type Service struct {
	Name        string      `json:"name" yaml:"name"`
	Kind        ServiceKind `json:"kind" yaml:"kind"`
	Team        string      `json:"team,omitempty" yaml:"team,omitempty"`
	Tech        string      `json:"tech,omitempty" yaml:"tech,omitempty"`
	Description string      `json:"description,omitempty" yaml:"description,omitempty"`
}

// Server is something services run on: a machine, a VM, a node, a platform.
type Server struct {
	Name   string     `json:"name" yaml:"name"`
	Kind   ServerKind `json:"kind" yaml:"kind"`
	Zone   string     `json:"zone,omitempty" yaml:"zone,omitempty"`
	Region string     `json:"region,omitempty" yaml:"region,omitempty"`
}

// Placement says that Instances copies of Service run on Server.
type Placement struct {
	Service   string `json:"service" yaml:"service"`
	Server    string `json:"server" yaml:"server"`
	Instances int    `json:"instances" yaml:"instances"`
}

// Dependency says that From calls To.
type Dependency struct {
	From            string   `json:"from" yaml:"from"`
	To              string   `json:"to" yaml:"to"`
	Protocol        Protocol `json:"protocol" yaml:"protocol"`
	Mode            Mode     `json:"mode" yaml:"mode"`
	CallsPerRequest float64  `json:"calls_per_request" yaml:"calls_per_request"`
	Description     string   `json:"description,omitempty" yaml:"description,omitempty"`
}

// ServiceKind says what a service is; it decides its shape in diagrams and
// whether it holds state.
type ServiceKind string

// The service kinds.
const (
	KindService  ServiceKind = "service"
	KindFrontend ServiceKind = "frontend"
	KindGateway  ServiceKind = "gateway"
	KindWorker   ServiceKind = "worker"
	KindFunction ServiceKind = "function"
	KindDatabase ServiceKind = "database"
	KindCache    ServiceKind = "cache"
	KindQueue    ServiceKind = "queue"
	KindExternal ServiceKind = "external"
)

// ServiceKinds lists the valid service kinds in the order of docs/model.md.
var ServiceKinds = []ServiceKind{KindService, KindFrontend, KindGateway, KindWorker, KindFunction, KindDatabase, KindCache, KindQueue, KindExternal}

// Stateful reports whether services of this kind hold state (database, cache, queue).
func (k ServiceKind) Stateful() bool {
	return k == KindDatabase || k == KindCache || k == KindQueue
}

// ServerKind says what a server is.
type ServerKind string

// The server kinds.
const (
	ServerPhysical       ServerKind = "physical"
	ServerVM             ServerKind = "vm"
	ServerContainerHost  ServerKind = "container-host"
	ServerKubernetesNode ServerKind = "kubernetes-node"
	ServerServerless     ServerKind = "serverless"
	ServerManaged        ServerKind = "managed"
)

// ServerKinds lists the valid server kinds in the order of docs/model.md.
var ServerKinds = []ServerKind{ServerPhysical, ServerVM, ServerContainerHost, ServerKubernetesNode, ServerServerless, ServerManaged}

// Managed reports whether the provider keeps servers of this kind up and
// scales them (serverless, managed).
func (k ServerKind) Managed() bool {
	return k == ServerServerless || k == ServerManaged
}

// Protocol is how a dependency calls.
type Protocol string

// The protocols.
const (
	ProtocolHTTP  Protocol = "http"
	ProtocolGRPC  Protocol = "grpc"
	ProtocolIPC   Protocol = "ipc"
	ProtocolQueue Protocol = "queue"
	ProtocolSQL   Protocol = "sql"
	ProtocolTCP   Protocol = "tcp"
	ProtocolOther Protocol = "other"
)

// Protocols lists the valid protocols in the order of docs/model.md.
var Protocols = []Protocol{ProtocolHTTP, ProtocolGRPC, ProtocolIPC, ProtocolQueue, ProtocolSQL, ProtocolTCP, ProtocolOther}

// Mode says whether the caller waits for the answer.
type Mode string

// The modes.
const (
	ModeSync  Mode = "sync"
	ModeAsync Mode = "async"
)

// Modes lists the valid modes.
var Modes = []Mode{ModeSync, ModeAsync}

// ApplyDefaults fills every field left empty with its default (docs/model.md).
// Values that are set, even invalid ones, are left for Validate to judge.
func (m *Model) ApplyDefaults() {
	if m.Version == 0 {
		m.Version = FormatVersion
	}
	if m.Settings.ChattyCallsPerRequest == 0 {
		m.Settings.ChattyCallsPerRequest = DefaultChattyCallsPerRequest
	}
	if m.Settings.MaxSyncChain == 0 {
		m.Settings.MaxSyncChain = DefaultMaxSyncChain
	}
	if m.Settings.BlastRadius == 0 {
		m.Settings.BlastRadius = DefaultBlastRadius
	}
	for i := range m.Services {
		m.Services[i].ApplyDefaults()
	}
	for i := range m.Servers {
		m.Servers[i].ApplyDefaults()
	}
	for i := range m.Placements {
		m.Placements[i].ApplyDefaults()
	}
	for i := range m.Dependencies {
		m.Dependencies[i].ApplyDefaults()
	}
}

// ApplyDefaults fills the kind when empty.
func (s *Service) ApplyDefaults() {
	if s.Kind == "" {
		s.Kind = KindService
	}
}

// ApplyDefaults fills the kind when empty.
func (s *Server) ApplyDefaults() {
	if s.Kind == "" {
		s.Kind = ServerVM
	}
}

// ApplyDefaults sets one instance when none is given.
func (pl *Placement) ApplyDefaults() {
	if pl.Instances == 0 {
		pl.Instances = 1
	}
}

// ApplyDefaults fills protocol, mode and calls per request when empty.
func (d *Dependency) ApplyDefaults() {
	if d.Protocol == "" {
		d.Protocol = ProtocolHTTP
	}
	if d.Mode == "" {
		d.Mode = ModeSync
	}
	if d.CallsPerRequest == 0 {
		d.CallsPerRequest = 1
	}
}
