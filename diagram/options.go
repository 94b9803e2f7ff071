package diagram

import (
	"flag"
	"net/url"
	"slices"
	"strconv"

	"github.com/archmap/archmap/topology"
)

// The views.
const (
	ViewServices   = "services"
	ViewDeployment = "deployment"
)

// GroupTeam is the one grouping: services collapsed into their teams.
const GroupTeam = "team"

// Bounds of the focus depth.
const (
	DefaultDepth = 1
	MaxDepth     = 10
)

// Options choose what a diagram shows. The same options come from the
// diagram page's query string (ParseQuery), the API's and the CLI's flags
// (AddFlags); Key names them in caches. Each option is one field here and
// one entry of params below: that is all a new option needs to be read,
// checked, bookmarked and cached.
type Options struct {
	View  string // ViewServices (also for "") or ViewDeployment
	Focus string // a service name: only it and its neighbours up to Depth hops
	Depth int    // hops around Focus, both directions; 0 means DefaultDepth
	Group string // "" or GroupTeam
	// Team opens one team of the overview: its services one by one, the
	// services of other teams they call or are called by collapsed into
	// those teams' nodes. "" draws the whole system.
	Team string
}

// param is one option as a query parameter and a command-line flag.
type param struct {
	name  string // query parameter and flag name
	usage string // the flag's help; a `word` in it names the flag's value
	// get returns the option's canonical text, "" for its default.
	get func(o *Options) string
	// set reads a non-empty query value or flag.
	set func(o *Options, v string) error
}

var params = []param{
	{
		name:  "view",
		usage: "`VIEW` to draw: services (who calls whom; the default) or deployment (what runs where)",
		get: func(o *Options) string {
			if o.View == ViewServices {
				return ""
			}
			return o.View
		},
		set: func(o *Options, v string) error { o.View = v; return nil },
	},
	{
		name:  "focus",
		usage: "draw only the service `NAME` and its neighbours",
		get:   func(o *Options) string { return o.Focus },
		set:   func(o *Options, v string) error { o.Focus = v; return nil },
	},
	{
		name:  "depth",
		usage: "with focus: neighbours up to `N` calls away, both directions (1 to " + strconv.Itoa(MaxDepth) + "; default 1)",
		get: func(o *Options) string {
			// Without a focus the depth draws nothing different.
			if o.Focus == "" || o.Depth == DefaultDepth {
				return ""
			}
			return strconv.Itoa(o.Depth)
		},
		set: func(o *Options, v string) error {
			// 0 is the struct's "not set"; given, it is out of bounds.
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return errDepth()
			}
			o.Depth = n
			return nil
		},
	},
	{
		name:  "group",
		usage: "collapse services into their teams: `team`",
		get:   func(o *Options) string { return o.Group },
		set:   func(o *Options, v string) error { o.Group = v; return nil },
	},
	{
		name:  "team",
		usage: "open the team `NAME`: its services, and the teams they call or are called by",
		get:   func(o *Options) string { return o.Team },
		set:   func(o *Options, v string) error { o.Team = v; return nil },
	},
}

func errDepth() error {
	return topology.Errorf(topology.EINVALID, "The depth must be a whole number from 1 to %d.", MaxDepth)
}

// ParseQuery reads the options from a query string and checks them (not
// against a model: see CheckModel). A missing or empty parameter is the
// option's default, so ?view= and no view are the same options.
func ParseQuery(q url.Values) (Options, error) {
	var o Options
	for _, p := range params {
		if v := q.Get(p.name); v != "" {
			if err := p.set(&o, v); err != nil {
				return Options{}, err
			}
		}
	}
	return o.Normalize()
}

// Normalize checks the options and fills in the defaults: the view
// (services) and the depth (1). Bad options are EINVALID errors.
func (o Options) Normalize() (Options, error) {
	if o.View == "" {
		o.View = ViewServices
	}
	if o.Depth == 0 {
		o.Depth = DefaultDepth
	}
	switch o.View {
	case ViewServices, ViewDeployment:
	default:
		return o, topology.Errorf(topology.EINVALID, "Unknown view %q: choose %s or %s.", o.View, ViewServices, ViewDeployment)
	}
	if o.Group != "" && o.Group != GroupTeam {
		return o, topology.Errorf(topology.EINVALID, "Unknown grouping %q: services can be grouped by %s.", o.Group, GroupTeam)
	}
	if o.Depth < 1 || o.Depth > MaxDepth {
		return o, errDepth()
	}
	return o, nil
}

// Validate is Normalize's check alone.
func (o Options) Validate() error {
	_, err := o.Normalize()
	return err
}

// CheckModel checks what only the model can tell: the focus must name one
// of its services and the team one of its teams (ENOTFOUND).
func (o Options) CheckModel(m *topology.Model) error {
	if o.Focus != "" && !slices.ContainsFunc(m.Services, func(s topology.Service) bool { return s.Name == o.Focus }) {
		return topology.Errorf(topology.ENOTFOUND, "There is no service %q to focus on.", o.Focus)
	}
	if o.Team != "" && !slices.ContainsFunc(m.Services, func(s topology.Service) bool { return s.Team == o.Team }) {
		return topology.Errorf(topology.ENOTFOUND, "There is no team %q to open.", o.Team)
	}
	return nil
}

// Query encodes the options for a URL, leaving out defaults. The view is
// always written, so that a link says which view it shows.
func (o Options) Query() string {
	if n, err := o.Normalize(); err == nil {
		o = n
	}
	v := url.Values{}
	for _, p := range params {
		if s := p.get(&o); s != "" {
			v.Set(p.name, s)
		}
	}
	if !v.Has("view") {
		v.Set("view", ViewServices)
	}
	return v.Encode()
}

// Key is the canonical text of the options for cache keys: two option sets
// that draw the same diagram have the same key (defaults left out, the
// depth only with a focus), and every option is in it. It is Query's
// encoding without the view default.
func (o Options) Key() string {
	n, err := o.Normalize()
	if err != nil {
		// Only valid options are drawn and cached; an invalid set still
		// gets a key of its own, never that of a valid one.
		return "invalid:" + strconv.Quote(o.View) + strconv.Quote(o.Focus) + strconv.Itoa(o.Depth) + strconv.Quote(o.Group) + strconv.Quote(o.Team)
	}
	v := url.Values{}
	for _, p := range params {
		if s := p.get(&n); s != "" {
			v.Set(p.name, s)
		}
	}
	return v.Encode()
}

// With returns the options with another view.
func (o Options) With(view string) Options {
	o.View = view
	return o
}

// WithTeam returns the options with another team opened ("": the overview).
func (o Options) WithTeam(team string) Options {
	o.Team = team
	return o
}

// Filename names the file of a download: base-view[-by-group].ext.
func (o Options) Filename(base string, f Format) string {
	o, _ = o.Normalize()
	name := base + "-" + o.View
	if o.Group != "" {
		name += "-by-" + o.Group
	}
	if o.Team != "" {
		name += "-team"
	}
	return name + "." + f.Name
}

// AddFlags defines a flag for each option, filling o when the flags are
// parsed. The caller checks o with Normalize afterwards.
func (o *Options) AddFlags(fs *flag.FlagSet) {
	for _, p := range params {
		fs.Var(&optionFlag{o: o, p: p}, p.name, p.usage)
	}
}

// optionFlag is one option as a flag.Value.
type optionFlag struct {
	o *Options
	p param
}

func (f *optionFlag) String() string {
	if f.o == nil { // the flag package's zero value
		return ""
	}
	return f.p.get(f.o)
}

func (f *optionFlag) Set(v string) error {
	if v == "" {
		return nil
	}
	return f.p.set(f.o, v)
}
