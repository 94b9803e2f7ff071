package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
	"gopkg.in/yaml.v3"

	"github.com/archmap/archmap/topology"
)

// ComposeOptions tune a compose import.
type ComposeOptions struct {
	// Profiles enables services that carry these profiles, like
	// `docker compose --profile`. "*" enables every profile. Services with
	// profiles are left out otherwise, as `docker compose up` leaves them out.
	Profiles []string
	// Name names the model; the compose project name when empty.
	Name string
}

// composeFile is one compose file with its parsed nodes, kept to find the
// lines that compose-go forgets.
type composeFile struct {
	File
	docs []*yaml.Node
}

var quietLogrus sync.Once

// Compose imports compose files, merged in order like `docker compose -f a
// -f b`, with variables interpolated from the .env file beside the first of
// them when it is among files. Nothing outside files is read: not the
// process environment, not env_file or extends files that were not given.
// On error the model is nil and the report, when not nil, holds what was
// skipped or assumed before the failure, which often explains it.
func Compose(files []File, opts ComposeOptions) (*topology.Model, *Report, error) {
	// compose-go warns through the global logrus logger (obsolete
	// `version`, unset variables); the report says those things instead.
	quietLogrus.Do(func() { logrus.SetOutput(io.Discard) })

	// The report is returned with an error too: what was skipped or assumed
	// before the failure (an include not followed) often explains it.
	b := newBuilder()
	if err := totalSize(files); err != nil {
		return nil, b.rep, err
	}
	var (
		configs  []composeFile
		dotenvs  []File
		rawFiles = map[string]File{}
	)
	for _, f := range files {
		rawFiles[cleanName(f.Name)] = f
		if isDotEnv(f.Name) {
			if path.Base(slash(f.Name)) == ".env" {
				dotenvs = append(dotenvs, f)
			}
			continue
		}
		docs, err := parseDocs(f)
		if err != nil {
			return nil, b.rep, err
		}
		if len(docs) == 0 {
			return nil, b.rep, lineError(f.Name, 0, "empty file, not a compose file")
		}
		for _, d := range docs {
			root := docRoot(d)
			if isKubernetesDoc(root) {
				_, kind := mapGet(root, "kind")
				return nil, b.rep, lineError(f.Name, root.Line, "a Kubernetes manifest (kind %s), not a compose file; import it with --from kubernetes", kind.Value)
			}
			if !isComposeDoc(root) {
				return nil, b.rep, lineError(f.Name, root.Line, "not a compose file: no top-level services")
			}
		}
		configs = append(configs, composeFile{File: f, docs: docs})
	}
	if len(configs) == 0 {
		return nil, b.rep, topology.Errorf(topology.EINVALID, "no compose file among the input, only .env files")
	}

	first := configs[0].Name
	configs, err := orderIncludes(configs, b)
	if err != nil {
		return nil, b.rep, err
	}
	env := map[string]string{}
	for _, f := range dotenvs {
		if cleanName(path.Dir(slash(f.Name))) != cleanName(path.Dir(slash(first))) {
			b.rep.skip("%s: not beside the first compose file %s, so compose would not read it", f.Name, first)
			continue
		}
		vars, err := dotenv.ParseWithLookup(bytes.NewReader(f.Data), noLookup)
		if err != nil {
			return nil, b.rep, lineError(f.Name, 0, "%s", err)
		}
		env = vars
		b.rep.assume("Variables are interpolated from %s and nothing else (not the environment archmap runs in).", f.Name)
	}

	project, missing, err := loadProject(configs, first, env, opts.Profiles)
	if err != nil {
		// An unset variable is the usual cause of an invalid project
		// (a volume "${HOST_FILESYSTEM}:/hostfs" becomes ":/hostfs").
		delete(missing, "COMPOSE_PROJECT_NAME")
		if len(missing) > 0 {
			names := make([]string, 0, len(missing))
			for k := range missing {
				names = append(names, k)
			}
			sort.Strings(names)
			where := "no .env file was given beside " + first
			if len(dotenvs) > 0 {
				where = "the .env file does not set them"
			}
			b.rep.warn("Variables used but not set (%s), taken as empty or their default: %s.", where, strings.Join(names, ", "))
		}
		return nil, b.rep, err
	}
	c := &composeImport{b: b, files: configs, first: first, rawFiles: rawFiles, project: project, env: env, missing: missing}
	name := project.Name
	if opts.Name != "" {
		name = opts.Name
	}
	return c.run(name)
}

func noLookup(string) (string, bool) { return "", false }

// loadProject runs compose-go on the files: interpolation, merging, profiles,
// normalization and validation are its, so they match docker compose.
// first is the file given first, which names the project and its directory
// (the included files come before it in configs).
func loadProject(configs []composeFile, first string, env map[string]string, profiles []string) (*types.Project, map[string]bool, error) {
	details := types.ConfigDetails{
		WorkingDir:  path.Dir(slash(first)),
		Environment: types.Mapping{},
	}
	for k, v := range env {
		details.Environment[k] = v
	}
	for _, f := range configs {
		data := f.Data
		if data == nil {
			data = []byte{} // nil Content makes compose-go read the file from disk
		}
		details.ConfigFiles = append(details.ConfigFiles, types.ConfigFile{Filename: f.Name, Content: data})
	}
	missing := map[string]bool{}
	project, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName(defaultProjectName(first), false)
		o.ResolvePaths = false
		// compose-go would read included files from disk; orderIncludes
		// has put those of the input before their includer instead.
		o.SkipInclude = true
		o.SkipResolveEnvironment = true // env_file: read below from the given files only
		o.SkipResolveLabels = true
		o.Profiles = profiles
		o.ResourceLoaders = []loader.ResourceLoader{refuseFiles{}}
		o.Interpolate.LookupValue = func(k string) (string, bool) {
			v, ok := details.Environment[k]
			if !ok {
				missing[k] = true
			}
			return v, ok
		}
		o.Interpolate.Substitute = func(s string, m template.Mapping) (string, error) {
			return template.SubstituteWithOptions(s, m, template.WithoutLogging)
		}
	})
	if err != nil {
		return nil, missing, composeError(configs, err)
	}
	delete(missing, "COMPOSE_PROJECT_NAME")
	return project, missing, nil
}

// composeError makes compose-go's error an EINVALID one that names the file
// and, when the message names a place (services.web.image, service "web"),
// its line in the last file that sets it.
func composeError(configs []composeFile, err error) error {
	var te *topology.Error
	if errors.As(err, &te) {
		return te
	}
	msg := err.Error()
	// jsonschema's word for an attribute the schema does not allow.
	msg = strings.ReplaceAll(msg, " false schema", ": not a compose attribute")
	var path []string
	if m := composePathRE.FindStringSubmatch(msg); m != nil {
		path = strings.Split(m[1], ".")
	} else if m := composeServiceRE.FindStringSubmatch(msg); m != nil {
		path = []string{"services", m[1]}
	}
	for i := len(configs) - 1; i >= 0 && path != nil; i-- {
		for _, d := range configs[i].docs {
			if line := deepestLine(docRoot(d), path); line > 0 {
				msg = strings.TrimPrefix(msg, "validating "+configs[i].Name+": ")
				return lineError(configs[i].Name, line, "%s", msg)
			}
		}
	}
	names := make([]string, len(configs))
	for i, f := range configs {
		names[i] = f.Name
	}
	return topology.Errorf(topology.EINVALID, "compose (%s): %s", strings.Join(names, ", "), msg)
}

var (
	composePathRE    = regexp.MustCompile(`\b((?:services|networks|volumes|configs|secrets)(?:\.[A-Za-z0-9_-]+)+)`)
	composeServiceRE = regexp.MustCompile(`service "([^"]+)"`)
)

// deepestLine follows a path of mapping keys as far as the document has it
// and returns the line of the last key found, or 0 unless at least the
// first two (services.web) are there.
func deepestLine(n *yaml.Node, path []string) int {
	line, found := 0, 0
	for _, p := range path {
		k, v := mapGet(n, p)
		if k == nil {
			break
		}
		line, n = k.Line, v
		found++
	}
	if found < min(2, len(path)) {
		return 0
	}
	return line
}

// refuseFiles stands in for compose-go's file loader, so that extends and
// include never reach the disk.
type refuseFiles struct{}

func (refuseFiles) Accept(string) bool { return true }
func (refuseFiles) Load(_ context.Context, p string) (string, error) {
	return "", topology.Errorf(topology.EINVALID, "compose: %s is referenced (extends or include) but archmap reads only the files it is given; inline it or pass it as one more file", p)
}
func (refuseFiles) Dir(p string) string { return path.Dir(p) }

// defaultProjectName is what docker compose names a project without a
// `name:`: its directory; for a bare file name (an upload), the file name.
func defaultProjectName(first string) string {
	dir := path.Base(path.Dir(slash(first)))
	name := loader.NormalizeProjectName(dir)
	if dir == "." || dir == "/" || dir == ".." || name == "" {
		base := path.Base(slash(first))
		name = loader.NormalizeProjectName(strings.TrimSuffix(base, path.Ext(base)))
	}
	if name == "" {
		name = "compose"
	}
	return name
}

type composeImport struct {
	b        *builder
	files    []composeFile
	first    string // the file given first: its directory is the project's
	rawFiles map[string]File
	project  *types.Project
	env      map[string]string
	missing  map[string]bool     // variables used but not set
	aliases  map[string][]string // host name → model service names
	names    map[string]string   // compose service name → model service name
}

func (c *composeImport) run(name string) (*topology.Model, *Report, error) {
	b := c.b
	server := sanitizeName(c.project.Name)
	b.addServer(topology.Server{Name: server, Kind: topology.ServerContainerHost})

	order := c.serviceOrder()
	c.names = map[string]string{}
	c.aliases = map[string][]string{}
	for _, n := range order {
		s := c.project.Services[n]
		kind, tech := guessKind(s.Image, n)
		mn := b.addService(n, kind, tech, s.Image)
		c.names[n] = mn
		file, line := c.replicasLine(n)
		b.rep.place(mn, file, line)
		replicas := s.GetScale()
		if s.Deploy != nil && s.Deploy.Mode == "global" {
			replicas = 1 // one per Docker host, and a project runs on one
		}
		if replicas > 0 {
			b.place(mn, server, replicas)
		} else {
			b.rep.skip("service %s: 0 replicas, so it is not placed", n)
		}
		c.alias(n, mn)
		if s.ContainerName != "" {
			c.alias(s.ContainerName, mn)
		}
		// Docker Engine lists a container's hostname among its DNS names on
		// every network it joins, so other containers reach it by that name.
		if s.Hostname != "" {
			c.alias(s.Hostname, mn)
		}
		for _, net := range s.Networks {
			if net != nil {
				for _, a := range net.Aliases {
					c.alias(a, mn)
				}
			}
		}
		for _, l := range s.Links {
			if t, a, ok := strings.Cut(l, ":"); ok {
				if tn, ok := c.names[t]; ok {
					c.alias(a, tn)
				}
			}
		}
	}
	// Links may name services defined later in the file.
	for _, n := range order {
		for _, l := range c.project.Services[n].Links {
			if t, a, ok := strings.Cut(l, ":"); ok && c.names[t] != "" && !contains(c.aliases[strings.ToLower(a)], c.names[t]) {
				c.alias(a, c.names[t])
			}
		}
	}
	var disabled []string
	for n, s := range c.project.DisabledServices {
		disabled = append(disabled, fmt.Sprintf("%s (profiles %s)", n, strings.Join(s.Profiles, ", ")))
	}
	sort.Strings(disabled)
	for _, d := range disabled {
		b.rep.skip("service %s: its profile is not enabled (docker compose up leaves it out too; enable it with --profile, or --profile '*' for all)", d)
	}
	b.rep.assume("The project runs on one Docker host, so all its services are placed on one server, %s (container-host).", server)

	// A service others wait to complete (service_completed_successfully) is
	// a one-off task, like a Kubernetes Job: nothing calls it, and no
	// request waits on what it calls.
	var tasks []string
	for _, n := range order {
		for t, d := range c.project.Services[n].DependsOn {
			if d.Condition == types.ServiceConditionCompletedSuccessfully && c.names[t] != "" && !b.runOnce[c.names[t]] {
				b.runOnce[c.names[t]] = true
				tasks = append(tasks, c.names[t])
			}
		}
	}
	if len(tasks) > 0 {
		sort.Strings(tasks)
		b.rep.assume("One-off tasks (%s) run to completion before the services that wait for them; their calls are modelled as asynchronous, since no request waits on them.", strings.Join(tasks, ", "))
	}
	for _, n := range order {
		c.inferFrom(n)
	}
	if len(c.missing) > 0 {
		names := make([]string, 0, len(c.missing))
		for k := range c.missing {
			names = append(names, k)
		}
		sort.Strings(names)
		b.rep.assume("Variables not set in .env, taken as empty, their default, or unknown: %s.", strings.Join(names, ", "))
	}
	return b.finish(name)
}

func (c *composeImport) alias(host, service string) {
	h := strings.ToLower(host)
	if !contains(c.aliases[h], service) {
		c.aliases[h] = append(c.aliases[h], service)
	}
}

// serviceOrder lists the enabled services in the order the files first
// define them (compose-go keeps them in a map).
func (c *composeImport) serviceOrder() []string {
	var order []string
	seen := map[string]bool{}
	for _, f := range c.files {
		for _, d := range f.docs {
			_, svcs := mapGet(docRoot(d), "services")
			for _, k := range mapKeys(svcs) {
				if _, ok := c.project.Services[k.Value]; ok && !seen[k.Value] {
					seen[k.Value] = true
					order = append(order, k.Value)
				}
			}
		}
	}
	var rest []string
	for n := range c.project.Services {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	return append(order, rest...)
}

// envVar is one environment variable of a service with where it came from.
type envVar struct {
	key, value string
	file       string
	line       int
	note       string // " (value from .env)", " (from env_file x)"
}

func (c *composeImport) inferFrom(n string) {
	b := c.b
	s := c.project.Services[n]
	self := c.names[n]
	for _, v := range c.environment(n, s) {
		kk := classifyKey(v.key)
		if kk.ignore {
			continue
		}
		for _, ref := range addressesIn(v.value) {
			if ref.bare && !kk.address {
				continue
			}
			hostDesc := ref.host
			if ref.port != "" {
				hostDesc += ":" + ref.port
			}
			reason := fmt.Sprintf("environment %s names %s%s", v.key, hostDesc, v.note)
			targets := c.aliases[ref.host]
			switch {
			case len(targets) == 1:
				b.addressEvidence(self, targets[0], addressHint{ref: ref, key: kk}, reason, v.file, v.line)
			case len(targets) > 1:
				b.rep.warn("%s: %s names %s, which is an alias of several services (%s); no dependency inferred", location(v.file, v.line), v.key, ref.host, strings.Join(targets, ", "))
			default:
				c.unresolved(self, ref, kk, reason, v)
			}
		}
	}
	deps := make([]string, 0, len(s.DependsOn))
	for t := range s.DependsOn {
		deps = append(deps, t)
	}
	sort.Strings(deps)
	links := map[string]bool{}
	for _, l := range s.Links {
		t, _, _ := strings.Cut(l, ":")
		links[t] = true
	}
	for _, t := range deps {
		target, ok := c.names[t]
		if !ok {
			continue
		}
		if links[t] {
			file, line := c.listEntryLine(n, "links", t)
			b.declaredEvidence(self, target, "links", file, line)
			continue
		}
		file, line := c.listEntryLine(n, "depends_on", t)
		if s.DependsOn[t].Condition == types.ServiceConditionCompletedSuccessfully {
			b.rep.skip("%s: %s depends_on %s to complete first (a one-off task, not a service it calls); no dependency inferred", location(file, line), n, t)
			continue
		}
		reason := "depends_on"
		if line == 0 {
			reason = "depends_on (implied by network_mode or volumes_from)"
			file, line = c.serviceLine(n)
		}
		b.declaredEvidence(self, target, reason, file, line)
	}
	for _, l := range s.ExternalLinks {
		file, line := c.serviceLine(n)
		b.rep.skip("%s: service %s has external_links %s, a container outside the project; not modelled", location(file, line), n, l)
	}
}

// unresolved handles an address naming no service of the project: a
// service whose profile is off, an external service, or not a host at all.
func (c *composeImport) unresolved(self string, ref addrRef, kk keyKind, reason string, v envVar) {
	b := c.b
	if ds, ok := c.project.DisabledServices[ref.host]; ok {
		b.rep.skip("%s: %s names %s, whose profile (%s) is not enabled; no dependency inferred", location(v.file, v.line), v.key, ref.host, strings.Join(ds.Profiles, ", "))
		return
	}
	if !kk.address {
		return
	}
	if !serviceLike(ref.host) {
		if strings.Contains(ref.host, ".") && !ref.bare {
			b.rep.skip("%s: %s names %s, which the input does not deploy and which is not a service name; left out", location(v.file, v.line), v.key, ref.host)
		}
		return
	}
	ext, created := b.external(ref.host)
	if created {
		b.rep.warn("%s is not deployed by these files but %s names it (%s at %s); modelled as an external service", ext, self, v.key, location(v.file, v.line))
	}
	b.addressEvidence(self, ext, addressHint{ref: ref, key: kk}, reason, v.file, v.line)
}

// environment merges a service's env_file (when given among the files) and
// environment, the latter winning as in compose, ordered as in the files.
func (c *composeImport) environment(n string, s types.ServiceConfig) []envVar {
	vars := map[string]envVar{}
	for _, ef := range s.EnvFiles {
		p := ef.Path
		if !path.IsAbs(slash(p)) {
			p = path.Join(path.Dir(slash(c.first)), slash(p))
		}
		f, ok := c.rawFiles[cleanName(p)]
		if !ok {
			file, line := c.serviceLine(n)
			c.b.rep.skip("%s: env_file %s of service %s is not among the given files; its variables are unknown", location(file, line), ef.Path, n)
			continue
		}
		parsed, err := dotenv.ParseWithLookup(bytes.NewReader(f.Data), func(k string) (string, bool) {
			v, ok := c.env[k]
			return v, ok
		})
		if err != nil {
			c.b.rep.warn("%s: env_file of service %s cannot be read: %s", f.Name, n, err)
			continue
		}
		for k, v := range parsed {
			vars[k] = envVar{key: k, value: v, file: f.Name, line: dotenvLine(f.Data, k), note: " (from env_file " + f.Name + ")"}
		}
	}
	for k, v := range s.Environment {
		if v == nil {
			c.missing[k] = true // "- KEY" with KEY in no .env: its value is unknown
			continue
		}
		ev := envVar{key: k, value: *v}
		var raw string
		var found bool
		ev.file, ev.line, raw, found = c.envEntry(n, k)
		if !found {
			ev.file, ev.line = c.serviceLine(n)
		}
		switch {
		case found && !strings.Contains(raw, "="):
			ev.note = " (value from .env)"
		case strings.Contains(raw, "${") || strings.Contains(raw, "$"):
			ev.note = " (after interpolation)"
		}
		vars[k] = ev
	}
	list := make([]envVar, 0, len(vars))
	for _, v := range vars {
		list = append(list, v)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].line != list[j].line {
			return list[i].line < list[j].line
		}
		return list[i].key < list[j].key
	})
	return list
}

// service returns the node of a service in the last file that defines it
// (the one whose values win), or in the first when first is set.
func (c *composeImport) service(n string, visit func(f composeFile, svc *yaml.Node) bool) {
	for i := len(c.files) - 1; i >= 0; i-- {
		f := c.files[i]
		for j := len(f.docs) - 1; j >= 0; j-- {
			_, svcs := mapGet(docRoot(f.docs[j]), "services")
			if _, svc := mapGet(svcs, n); svc != nil && visit(f, svc) {
				return
			}
		}
	}
}

// replicasLine is where the number of a service's instances is set (scale
// or deploy.replicas, in the last file that sets it), else where the
// service is first defined.
func (c *composeImport) replicasLine(n string) (string, int) {
	file, line := "", 0
	c.service(n, func(f composeFile, svc *yaml.Node) bool {
		if k, _ := mapGet(svc, "scale"); k != nil {
			file, line = f.Name, k.Line
			return true
		}
		if _, deploy := mapGet(svc, "deploy"); deploy != nil {
			if k, _ := mapGet(deploy, "replicas"); k != nil {
				file, line = f.Name, k.Line
				return true
			}
		}
		return false
	})
	if line > 0 {
		return file, line
	}
	return c.serviceLine(n)
}

// serviceLine is where a service is first defined.
func (c *composeImport) serviceLine(n string) (string, int) {
	for _, f := range c.files {
		for _, d := range f.docs {
			_, svcs := mapGet(docRoot(d), "services")
			if k, _ := mapGet(svcs, n); k != nil {
				return f.Name, k.Line
			}
		}
	}
	return c.files[0].Name, 0
}

// envEntry finds a variable in a service's environment, written as a list
// ("- KEY=value", "- KEY") or a mapping ("KEY: value"), in the last file
// that sets it. raw is the entry as written ("KEY" alone: value from .env).
func (c *composeImport) envEntry(n, key string) (file string, line int, raw string, found bool) {
	c.service(n, func(f composeFile, svc *yaml.Node) bool {
		_, env := mapGet(svc, "environment")
		if env == nil {
			return false
		}
		switch env.Kind {
		case yaml.MappingNode:
			if k, v := mapGet(env, key); k != nil {
				file, line, found = f.Name, k.Line, true
				raw = key
				if v != nil && v.Tag != "!!null" {
					raw = key + "=" + v.Value
				}
				return true
			}
		case yaml.SequenceNode:
			for _, item := range env.Content {
				item = deref(item)
				if k, _, _ := strings.Cut(item.Value, "="); strings.TrimSpace(k) == key {
					file, line, raw, found = f.Name, item.Line, item.Value, true
					return true
				}
			}
		}
		return false
	})
	return
}

// listEntryLine finds target in a service's depends_on or links (a list, or
// for depends_on a mapping), in the last file that names it.
func (c *composeImport) listEntryLine(n, field, target string) (file string, line int) {
	c.service(n, func(f composeFile, svc *yaml.Node) bool {
		_, list := mapGet(svc, field)
		if list == nil {
			return false
		}
		switch list.Kind {
		case yaml.MappingNode:
			if k, _ := mapGet(list, target); k != nil {
				file, line = f.Name, k.Line
				return true
			}
		case yaml.SequenceNode:
			for _, item := range list.Content {
				item = deref(item)
				if t, _, _ := strings.Cut(item.Value, ":"); t == target {
					file, line = f.Name, item.Line
					return true
				}
			}
		}
		return false
	})
	return
}

// dotenvLine finds the line that sets key in a .env file, or 0.
func dotenvLine(data []byte, key string) int {
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimPrefix(strings.TrimSpace(l), "export ")
		if k, _, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == key {
			return i + 1
		}
	}
	return 0
}

func isDotEnv(name string) bool {
	base := path.Base(slash(name))
	return base == ".env" || strings.HasSuffix(base, ".env")
}

func slash(name string) string { return strings.ReplaceAll(name, "\\", "/") }

func cleanName(name string) string { return path.Clean(slash(name)) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
