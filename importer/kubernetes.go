package importer

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/archmap/archmap/topology"
)

// KubeOptions tune a Kubernetes import.
type KubeOptions struct {
	// Nodes is how many nodes the cluster is modelled with (default 3).
	Nodes int
	// Zones are assigned to the nodes round-robin; none by default.
	Zones []string
	// Name names the model; by default the namespace when all objects share
	// one, else the directory the files share.
	Name string
}

// Bounds that keep a hostile manifest from making placement run for long.
const (
	MaxNodes       = 1000
	maxPlacedPods  = 10_000_000 // replicas × nodes summed over workloads
	defaultNodeNum = 3
)

// The Kubernetes objects are decoded into these small structs: only the
// fields the import needs, so that no Kubernetes client library is needed.
type kubeObject struct {
	APIVersion string      `yaml:"apiVersion"`
	Kind       string      `yaml:"kind"`
	Metadata   kubeMeta    `yaml:"metadata"`
	Spec       kubeSpec    `yaml:"spec"`
	Data       yaml.Node   `yaml:"data"`
	Items      []yaml.Node `yaml:"items"`
}

type kubeMeta struct {
	Name      string            `yaml:"name"`
	Namespace string            `yaml:"namespace"`
	Labels    map[string]string `yaml:"labels"`
}

type kubeSpec struct {
	Replicas     *int          `yaml:"replicas"`
	Parallelism  *int          `yaml:"parallelism"`
	Selector     yaml.Node     `yaml:"selector"`
	Template     *podTemplate  `yaml:"template"`
	JobTemplate  *jobTemplate  `yaml:"jobTemplate"`
	Ports        []servicePort `yaml:"ports"`
	ExternalName string        `yaml:"externalName"`
	// A bare Pod's spec is the pod spec itself.
	Containers     []container `yaml:"containers"`
	InitContainers []container `yaml:"initContainers"`
	RestartPolicy  string      `yaml:"restartPolicy"`
	// Where the scheduler may put the pods: see placementRules.
	NodeSelector              map[string]string  `yaml:"nodeSelector"`
	Affinity                  *affinity          `yaml:"affinity"`
	TopologySpreadConstraints []spreadConstraint `yaml:"topologySpreadConstraints"`
}

type affinity struct {
	NodeAffinity *struct {
		Required *struct {
			NodeSelectorTerms []struct {
				MatchExpressions []labelExpr `yaml:"matchExpressions"`
			} `yaml:"nodeSelectorTerms"`
		} `yaml:"requiredDuringSchedulingIgnoredDuringExecution"`
	} `yaml:"nodeAffinity"`
	PodAntiAffinity *struct {
		Required  []podAffinityTerm `yaml:"requiredDuringSchedulingIgnoredDuringExecution"`
		Preferred []struct {
			Term podAffinityTerm `yaml:"podAffinityTerm"`
		} `yaml:"preferredDuringSchedulingIgnoredDuringExecution"`
	} `yaml:"podAntiAffinity"`
}

type labelExpr struct {
	Key      string   `yaml:"key"`
	Operator string   `yaml:"operator"`
	Values   []string `yaml:"values"`
}

type labelSelector struct {
	MatchLabels      map[string]string `yaml:"matchLabels"`
	MatchExpressions []labelExpr       `yaml:"matchExpressions"`
}

type podAffinityTerm struct {
	TopologyKey   string         `yaml:"topologyKey"`
	LabelSelector *labelSelector `yaml:"labelSelector"`
}

type spreadConstraint struct {
	MaxSkew           int            `yaml:"maxSkew"`
	TopologyKey       string         `yaml:"topologyKey"`
	WhenUnsatisfiable string         `yaml:"whenUnsatisfiable"`
	LabelSelector     *labelSelector `yaml:"labelSelector"`
}

type jobTemplate struct {
	Spec kubeSpec `yaml:"spec"`
}

type podTemplate struct {
	Metadata kubeMeta `yaml:"metadata"`
	Spec     kubeSpec `yaml:"spec"`
}

type servicePort struct {
	Name        string `yaml:"name"`
	Port        int    `yaml:"port"`
	AppProtocol string `yaml:"appProtocol"`
}

type container struct {
	Name    string          `yaml:"name"`
	Image   string          `yaml:"image"`
	Env     []kubeEnv       `yaml:"env"`
	EnvFrom []envFromSource `yaml:"envFrom"`
}

type kubeEnv struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value"`
	ValueFrom *struct {
		ConfigMapKeyRef *keyRef `yaml:"configMapKeyRef"`
		SecretKeyRef    *keyRef `yaml:"secretKeyRef"`
	} `yaml:"valueFrom"`
	line int
}

// UnmarshalYAML keeps the line of the variable's value for the report.
func (e *kubeEnv) UnmarshalYAML(n *yaml.Node) error {
	type plain kubeEnv
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*e = kubeEnv(p)
	e.line = n.Line
	if _, v := mapGet(n, "value"); v != nil {
		e.line = v.Line
	}
	return nil
}

type keyRef struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

type envFromSource struct {
	Prefix       string `yaml:"prefix"`
	ConfigMapRef *struct {
		Name string `yaml:"name"`
	} `yaml:"configMapRef"`
	SecretRef *struct {
		Name string `yaml:"name"`
	} `yaml:"secretRef"`
	line int
}

// UnmarshalYAML keeps the line of the reference for the report.
func (e *envFromSource) UnmarshalYAML(n *yaml.Node) error {
	type plain envFromSource
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*e = envFromSource(p)
	e.line = n.Line
	return nil
}

// placed is one decoded object with where it was found.
type placed struct {
	obj  kubeObject
	file string
	line int // of metadata.name, else of the document
	// replicasLine is the line of spec.replicas (or spec.parallelism), 0
	// when the object has none: what a finding about the number of
	// instances points at.
	replicasLine int
}

type workload struct {
	placed
	name      string // in the model
	labels    map[string]string
	pod       kubeSpec
	replicas  int
	daemon    bool
	runOnce   bool // a Job, CronJob or bare Pod that runs to completion
	namespace string
	rules     placementRules
}

type kubeService struct {
	placed
	selector map[string]string
	targets  []string // model names of the workloads it selects
}

type configMap struct {
	file string
	data map[string]configValue
}

type configValue struct {
	value string
	line  int
}

// Kubernetes imports Kubernetes manifests: workloads become services placed
// on a modelled cluster of opts.Nodes nodes, Services map DNS names to
// workloads, and environment variables (with the ConfigMaps of the same
// input they reference) give the dependencies. On error the model is nil
// and the report, when not nil, holds what was found before the failure.
func Kubernetes(files []File, opts KubeOptions) (*topology.Model, *Report, error) {
	// The report is returned with an error too: what was skipped or assumed
	// before the failure often explains it.
	k := &kubeImport{b: newBuilder(), configMaps: map[[2]string]configMap{}, configMapNames: map[string][][2]string{}, skipped: map[string][]string{}}
	if err := totalSize(files); err != nil {
		return nil, k.b.rep, err
	}
	nodes := opts.Nodes
	if nodes == 0 {
		nodes = defaultNodeNum
	}
	if nodes < 1 || nodes > MaxNodes {
		return nil, k.b.rep, topology.Errorf(topology.EINVALID, "nodes must be between 1 and %d, got %d", MaxNodes, opts.Nodes)
	}
	for _, z := range opts.Zones {
		if msg := topology.ValidateName(z); msg != "" || strings.TrimSpace(z) == "" {
			return nil, k.b.rep, topology.Errorf(topology.EINVALID, "zone %q: %s", z, msg)
		}
	}
	for _, f := range files {
		if err := k.readFile(f); err != nil {
			return nil, k.b.rep, err
		}
	}
	if len(k.workloads) == 0 && len(k.services) == 0 {
		return nil, k.b.rep, topology.Errorf(topology.EINVALID, "no Kubernetes workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod) in %s", fileNames(files))
	}
	if err := k.build(nodes, opts.Zones); err != nil {
		return nil, k.b.rep, err
	}
	name := opts.Name
	if name == "" {
		name = k.defaultName(files)
	}
	return k.b.finish(name)
}

type kubeImport struct {
	b               *builder
	workloads       []*workload
	services        []*kubeService
	servicesByName  map[string][]*kubeService
	workloadsByName map[string][]*workload
	configMaps      map[[2]string]configMap // (namespace, name)
	configMapNames  map[string][][2]string  // name → keys, in input order
	skipped         map[string][]string     // kind → names
	kindOrder       []string
}

var workloadKinds = map[string]bool{
	"Deployment": true, "StatefulSet": true, "DaemonSet": true, "ReplicaSet": true,
	"ReplicationController": true, "Job": true, "CronJob": true, "Pod": true,
	"DeploymentConfig": true, // OpenShift's Deployment
}

func (k *kubeImport) readFile(f File) error {
	base := path.Base(slash(f.Name))
	if isDotEnv(f.Name) {
		k.b.rep.skip("%s: .env files mean nothing to Kubernetes", f.Name)
		return nil
	}
	docs, err := parseDocs(f)
	if err != nil {
		return err
	}
	for _, d := range docs {
		root := docRoot(d)
		if !isKubernetesDoc(root) {
			switch {
			case strings.HasPrefix(strings.ToLower(base), "kustomization."):
				k.skip("Kustomization", location(f.Name, root.Line))
			case isComposeDoc(root):
				return lineError(f.Name, root.Line, "a compose file, not a Kubernetes manifest; import it with --from compose")
			default:
				return lineError(f.Name, root.Line, "not a Kubernetes manifest: the document has no apiVersion and kind")
			}
			continue
		}
		if err := k.readObject(f.Name, root); err != nil {
			return err
		}
	}
	return nil
}

func (k *kubeImport) readObject(file string, n *yaml.Node) error {
	var obj kubeObject
	if err := n.Decode(&obj); err != nil {
		return decodeError(file, n, err)
	}
	line := n.Line
	if _, meta := mapGet(n, "metadata"); meta != nil {
		if key, _ := mapGet(meta, "name"); key != nil {
			line = key.Line
		}
	}
	p := placed{obj: obj, file: file, line: line}
	if _, spec := mapGet(n, "spec"); spec != nil {
		if key, _ := mapGet(spec, "replicas"); key != nil {
			p.replicasLine = key.Line
		} else if key, _ := mapGet(spec, "parallelism"); key != nil {
			p.replicasLine = key.Line
		}
	}
	switch {
	case obj.Kind == "List" || strings.HasSuffix(obj.Kind, "List") && len(obj.Items) > 0:
		for i := range obj.Items {
			item := deref(&obj.Items[i])
			if !isKubernetesDoc(item) {
				return lineError(file, item.Line, "a List item without apiVersion and kind")
			}
			if err := k.readObject(file, item); err != nil {
				return err
			}
		}
	case workloadKinds[obj.Kind]:
		if obj.Metadata.Name == "" {
			return lineError(file, n.Line, "%s without metadata.name", obj.Kind)
		}
		k.workloads = append(k.workloads, k.workload(p))
	case obj.Kind == "Service":
		if obj.Metadata.Name == "" {
			return lineError(file, n.Line, "Service without metadata.name")
		}
		s := &kubeService{placed: p}
		if obj.Spec.Selector.Kind == yaml.MappingNode {
			if err := obj.Spec.Selector.Decode(&s.selector); err != nil {
				return decodeError(file, n, err)
			}
		}
		k.services = append(k.services, s)
	case obj.Kind == "ConfigMap":
		cm := configMap{file: file, data: map[string]configValue{}}
		if obj.Data.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(obj.Data.Content); i += 2 {
				key, v := obj.Data.Content[i], deref(obj.Data.Content[i+1])
				if v != nil && v.Kind == yaml.ScalarNode {
					cm.data[key.Value] = configValue{value: v.Value, line: key.Line}
				}
			}
		}
		key := [2]string{obj.Metadata.Namespace, obj.Metadata.Name}
		if _, dup := k.configMaps[key]; !dup {
			k.configMapNames[key[1]] = append(k.configMapNames[key[1]], key)
		}
		k.configMaps[key] = cm
		k.skip("ConfigMap", obj.Metadata.Name)
	default:
		name := obj.Metadata.Name
		if name == "" {
			name = location(file, line)
		}
		k.skip(obj.Kind, name)
	}
	return nil
}

// decodeError reports a field of the wrong type at its line.
func decodeError(file string, n *yaml.Node, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		if m := yamlLineRE.FindStringSubmatch(te.Errors[0]); m != nil {
			return topology.Errorf(topology.EINVALID, "%s:%s: %s", file, m[1], m[2])
		}
		return lineError(file, n.Line, "%s", te.Errors[0])
	}
	return lineError(file, n.Line, "%s", err)
}

func (k *kubeImport) skip(kind, name string) {
	if _, ok := k.skipped[kind]; !ok {
		k.kindOrder = append(k.kindOrder, kind)
	}
	k.skipped[kind] = append(k.skipped[kind], name)
}

func (k *kubeImport) workload(p placed) *workload {
	w := &workload{placed: p, namespace: p.obj.Metadata.Namespace, replicas: 1}
	spec := p.obj.Spec
	switch p.obj.Kind {
	case "Pod":
		w.pod, w.labels = spec, p.obj.Metadata.Labels
	case "CronJob":
		if spec.JobTemplate != nil {
			if js := spec.JobTemplate.Spec; js.Template != nil {
				w.pod, w.labels = js.Template.Spec, js.Template.Metadata.Labels
			}
			if par := spec.JobTemplate.Spec.Parallelism; par != nil {
				w.replicas = *par
			}
		}
	default:
		if spec.Template != nil {
			w.pod, w.labels = spec.Template.Spec, spec.Template.Metadata.Labels
		}
		switch {
		case p.obj.Kind == "Job" && spec.Parallelism != nil:
			w.replicas = *spec.Parallelism
		case p.obj.Kind != "Job" && spec.Replicas != nil:
			w.replicas = *spec.Replicas
		}
	}
	w.daemon = p.obj.Kind == "DaemonSet"
	rp := w.pod.RestartPolicy
	w.runOnce = p.obj.Kind == "Job" || p.obj.Kind == "CronJob" || (p.obj.Kind == "Pod" && (rp == "Never" || rp == "OnFailure"))
	return w
}

func (k *kubeImport) build(nodes int, zones []string) error {
	b := k.b
	// Names: a workload's own name, qualified only where two would clash.
	count := map[string]int{}
	for _, w := range k.workloads {
		count[w.obj.Metadata.Name]++
	}
	teamsFrom := map[string][]string{} // label → services whose team it gave
	for _, w := range k.workloads {
		name := w.obj.Metadata.Name
		if count[name] > 1 {
			if w.namespace != "" {
				name += "." + w.namespace
			} else {
				name += " (" + strings.ToLower(w.obj.Kind) + ")"
			}
		}
		var kind topology.ServiceKind
		var tech, image string
		if len(w.pod.Containers) > 0 {
			image = w.pod.Containers[0].Image
		}
		switch w.obj.Kind {
		case "Job", "CronJob":
			kind = topology.KindWorker
		default:
			kind, tech = guessKind(image, w.obj.Metadata.Name)
		}
		w.name = b.addService(name, kind, tech, image)
		if w.replicasLine > 0 {
			b.rep.place(w.name, w.file, w.replicasLine)
		} else {
			b.rep.place(w.name, w.file, w.line)
		}
		if team, label := workloadTeam(w); team != "" {
			b.setTeam(w.name, team)
			teamsFrom[label] = append(teamsFrom[label], w.name)
		}
		if w.runOnce {
			b.runOnce[w.name] = true
		}
	}

	for _, label := range teamLabels {
		if names := teamsFrom[label]; len(names) > 0 {
			list := names
			if len(list) > 6 {
				list = append(append([]string{}, list[:6]...), "…")
			}
			b.rep.assume("The team of %s is the label %s (%s).", plural(len(names), "workload"), label, strings.Join(list, ", "))
		}
	}

	// Zones named by the manifests' placement rules model the cluster's
	// zones when none are given, so that the rules can be honoured.
	named := map[string]bool{}
	for _, w := range k.workloads {
		w.rules = rulesOf(w)
		for _, z := range w.rules.zonesNamed() {
			named[z] = true
		}
	}
	if len(zones) == 0 && len(named) > 0 {
		zones = sortedSet(named)
		b.rep.assume("No zones were given, so the cluster's zones are those its manifests' placement rules name: %s.", strings.Join(zones, ", "))
	} else if len(zones) > 0 {
		for z := range named {
			if !contains(zones, z) {
				b.rep.warn("The manifests name zone %s, which is not among the modelled zones (%s); pods required there are not placed.", z, strings.Join(zones, ", "))
			}
		}
	}

	servers := make([]string, nodes)
	zoneOf := make([]string, nodes)
	for i := range servers {
		s := topology.Server{Name: fmt.Sprintf("node-%d", i+1), Kind: topology.ServerKubernetesNode}
		if len(zones) > 0 {
			s.Zone = zones[i%len(zones)]
			zoneOf[i] = s.Zone
		}
		servers[i] = s.Name
		b.addServer(s)
	}
	if err := k.place(servers, zoneOf); err != nil {
		return err
	}
	zoneNote := "no zones"
	if len(zones) > 0 {
		zoneNote = "zones " + strings.Join(zones, ", ") + " round-robin"
	}
	b.rep.assume("The cluster is modelled as %d nodes (node-1..node-%d, %s), not read from the files.", nodes, nodes, zoneNote)
	b.rep.assume("Replicas are spread the way the default scheduler's topology spreading does: each replica goes to the zone, then the node, holding the fewest replicas of its workload, ties to the least loaded node; within what each workload's placement rules allow.")

	// Indexes keep large inputs linear: workloads by one label, Services
	// and workloads by name.
	byLabel := map[[2]string][]*workload{}
	k.workloadsByName = map[string][]*workload{}
	for _, w := range k.workloads {
		for key, v := range w.labels {
			byLabel[[2]string{key, v}] = append(byLabel[[2]string{key, v}], w)
		}
		n := strings.ToLower(w.obj.Metadata.Name)
		k.workloadsByName[n] = append(k.workloadsByName[n], w)
	}
	k.servicesByName = map[string][]*kubeService{}
	for _, s := range k.services {
		n := strings.ToLower(s.obj.Metadata.Name)
		k.servicesByName[n] = append(k.servicesByName[n], s)
		var candidates []*workload
		for key, v := range s.selector { // any one pair narrows the search
			candidates = byLabel[[2]string{key, v}]
			break
		}
		for _, w := range candidates {
			if sameNamespace(s.obj.Metadata.Namespace, w.namespace) && selects(s.selector, w.labels) {
				s.targets = append(s.targets, w.name)
			}
		}
	}
	for _, w := range k.workloads {
		k.inferFrom(w)
	}
	for _, kind := range k.kindOrder {
		names := k.skipped[kind]
		list := names
		if len(list) > 6 {
			list = append(append([]string{}, list[:6]...), "…")
		}
		note := ""
		switch kind {
		case "ConfigMap":
			note = "; their data is used where envFrom or configMapKeyRef reference it"
		case "Kustomization":
			note = "; kustomize is not run, so only the resources given as files are imported"
		case "HorizontalPodAutoscaler":
			note = "; replicas are taken from the workloads"
		}
		b.rep.skip("%s (%s)%s", plural(len(names), kind+" object"), strings.Join(list, ", "), note)
	}
	return nil
}

// place spreads each workload's replicas over the nodes like the default
// scheduler: zone first, then node, by the fewest replicas of the workload,
// ties to the least loaded node, then the lower node number.
func (k *kubeImport) place(servers, zoneOf []string) error {
	b := k.b
	n := len(servers)
	load := make([]int, n)
	budget := 0
	var runOnce, rulesUsed []string
	for _, w := range k.workloads {
		if w.replicas < 0 {
			return lineError(w.file, w.line, "%s %s: replicas must not be negative, got %d", w.obj.Kind, w.obj.Metadata.Name, w.replicas)
		}

		allowed := make([]bool, n)
		nAllowed := 0
		for i := range servers {
			if w.rules.allows(zoneOf[i]) {
				allowed[i] = true
				nAllowed++
			}
		}
		if len(w.rules.used) > 0 {
			rulesUsed = append(rulesUsed, w.name+": "+strings.Join(w.rules.used, ", "))
		}
		if nAllowed == 0 {
			b.rep.warn("%s %s: no modelled node is in a zone its rules allow (%s); it is not placed (its pods would stay Pending).", w.obj.Kind, w.name, strings.Join(w.rules.used, ", "))
			continue
		}
		if w.daemon {
			for i := range servers {
				if allowed[i] {
					b.place(w.name, servers[i], 1)
					load[i]++
				}
			}
			b.rep.assume("DaemonSet %s runs one pod on each of the %d nodes its rules allow.", w.name, nAllowed)
			continue
		}
		if w.runOnce {
			// A Job's pod runs to completion on whichever node the scheduler
			// picks, and is retried on another when that node fails: no node
			// failure takes it down, so it stands on every node it may use,
			// once each, rather than as a one-instance service a node takes
			// down.
			for i := range servers {
				if allowed[i] {
					b.place(w.name, servers[i], 1)
				}
			}
			runOnce = append(runOnce, w.obj.Kind+" "+w.name)
			continue
		}
		if w.replicas == 0 {
			b.rep.skip("%s %s: 0 replicas, so it is not placed", w.obj.Kind, w.name)
			continue
		}
		if w.replicas > maxPlacedPods/n || budget+w.replicas*n > maxPlacedPods {
			return lineError(w.file, w.line, "%s %s: too many replicas to place (%d)", w.obj.Kind, w.obj.Metadata.Name, w.replicas)
		}
		budget += w.replicas * n
		mine := make([]int, n)
		zoneMine := map[string]int{}
		pending := 0
		for r := 0; r < w.replicas; r++ {
			best := -1
			for i := 0; i < n; i++ {
				if !allowed[i] || (w.rules.onePerNode && mine[i] > 0) || (w.rules.onePerZone && zoneMine[zoneOf[i]] > 0) {
					continue
				}
				if best < 0 {
					best = i
					continue
				}
				a, c := i, best
				switch {
				case zoneMine[zoneOf[a]] != zoneMine[zoneOf[c]]:
					if zoneMine[zoneOf[a]] < zoneMine[zoneOf[c]] {
						best = i
					}
				case mine[a] != mine[c]:
					if mine[a] < mine[c] {
						best = i
					}
				case load[a] < load[c]:
					best = i
				}
			}
			if best < 0 {
				pending = w.replicas - r
				break
			}
			mine[best]++
			zoneMine[zoneOf[best]]++
			load[best]++
		}
		if pending > 0 {
			b.rep.warn("%s %s: only %d of its %d replicas can be scheduled (%s); the other %d would stay Pending and are not placed.",
				w.obj.Kind, w.name, w.replicas-pending, w.replicas, strings.Join(w.rules.used, ", "), pending)
		}
		for i, c := range mine {
			if c > 0 {
				b.place(w.name, servers[i], c)
			}
		}
	}
	if len(rulesUsed) > 0 {
		b.rep.assume("Placement rules of the manifests are honoured instead of the default spreading: %s.", strings.Join(rulesUsed, "; "))
	} else {
		b.rep.assume("No workload has placement rules (zone nodeSelector or nodeAffinity, topologySpreadConstraints, podAntiAffinity), so the default spreading decides where every replica goes.")
	}
	if len(runOnce) > 0 {
		b.rep.assume("Run-once workloads (%s) run to completion and are retried on any node, so each is placed once on every node rather than as a service a node failure takes down; their calls are modelled as asynchronous, since no request waits on them.",
			strings.Join(runOnce, ", "))
	}
	return nil
}

// teamLabels are the labels that name a workload's owner, best first: an
// explicit team or owner, then the recommended app.kubernetes.io labels for
// the application it is part of and, failing that, its component.
var teamLabels = []string{"team", "owner", "app.kubernetes.io/part-of", "app.kubernetes.io/component"}

// workloadTeam returns the team a workload's labels (its own, then its pod
// template's) give it, and the label it came from.
func workloadTeam(w *workload) (team, label string) {
	for _, l := range teamLabels {
		for _, labels := range []map[string]string{w.obj.Metadata.Labels, w.labels} {
			if v := strings.TrimSpace(labels[l]); v != "" {
				return v, l
			}
		}
	}
	return "", ""
}

func sameNamespace(a, b string) bool {
	// An object without a namespace lands in whichever namespace it is
	// applied to, so it may share one with any object.
	return a == b || a == "" || b == ""
}

func selects(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// inferFrom finds the dependencies of a workload in the environment of its
// containers (init containers too: they call what the pod needs at start).
func (k *kubeImport) inferFrom(w *workload) {
	cs := append(append([]container{}, w.pod.InitContainers...), w.pod.Containers...)
	for _, c := range cs {
		for _, v := range k.environment(w, c) {
			k.inferFromVar(w, c, v)
		}
	}
}

// kubeVar is one environment variable of a container with its origin.
type kubeVar struct {
	key, value string
	file       string
	line       int
	note       string
}

// environment resolves a container's variables as the kubelet would:
// envFrom first, then env in order, $(VAR) expanded from those before it,
// values taken from the ConfigMaps of the input.
func (k *kubeImport) environment(w *workload, c container) []kubeVar {
	var (
		list []kubeVar
		vals = map[string]string{}
	)
	set := func(v kubeVar) {
		vals[v.key] = v.value
		list = append(list, v)
	}
	for _, ef := range c.EnvFrom {
		switch {
		case ef.ConfigMapRef != nil:
			cm, ok := k.configMap(w.namespace, ef.ConfigMapRef.Name)
			if !ok {
				k.b.rep.skip("%s: envFrom ConfigMap %s of %s is not in the input; its variables are unknown", location(w.file, ef.line), ef.ConfigMapRef.Name, w.name)
				continue
			}
			keys := make([]string, 0, len(cm.data))
			for key := range cm.data {
				keys = append(keys, key)
			}
			sort.Strings(keys)
			for _, key := range keys {
				cv := cm.data[key]
				set(kubeVar{key: ef.Prefix + key, value: cv.value, file: cm.file, line: cv.line,
					note: fmt.Sprintf(" (ConfigMap %s, through envFrom at %s)", ef.ConfigMapRef.Name, location(w.file, ef.line))})
			}
		case ef.SecretRef != nil:
			k.b.rep.skip("%s: envFrom Secret %s of %s: Secrets are not read", location(w.file, ef.line), ef.SecretRef.Name, w.name)
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			note := ""
			value := expandKubeVars(e.Value, vals)
			if value != e.Value {
				note = " (after $(VAR) expansion)"
			}
			set(kubeVar{key: e.Name, value: value, file: w.file, line: e.line, note: note})
		case e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			cm, ok := k.configMap(w.namespace, ref.Name)
			if !ok {
				k.b.rep.skip("%s: %s of %s comes from ConfigMap %s, which is not in the input", location(w.file, e.line), e.Name, w.name, ref.Name)
				continue
			}
			cv, ok := cm.data[ref.Key]
			if !ok {
				k.b.rep.warn("%s: %s of %s refers to key %s, which ConfigMap %s does not have", location(w.file, e.line), e.Name, w.name, ref.Key, ref.Name)
				continue
			}
			set(kubeVar{key: e.Name, value: cv.value, file: w.file, line: e.line,
				note: fmt.Sprintf(" (ConfigMap %s key %s at %s)", ref.Name, ref.Key, location(cm.file, cv.line))})
		}
	}
	return list
}

func (k *kubeImport) configMap(ns, name string) (configMap, bool) {
	if cm, ok := k.configMaps[[2]string{ns, name}]; ok {
		return cm, true
	}
	for _, key := range k.configMapNames[name] { // in input order, so the choice is stable
		if sameNamespace(key[0], ns) {
			return k.configMaps[key], true
		}
	}
	return configMap{}, false
}

// expandKubeVars expands $(NAME) from the variables defined before, as the
// kubelet does; $$ escapes a $, and unknown names stay as written.
func expandKubeVars(s string, vals map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := vals[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}

func (k *kubeImport) inferFromVar(w *workload, c container, v kubeVar) {
	b := k.b
	kk := classifyKey(v.key)
	if kk.ignore {
		return
	}
	for _, ref := range addressesIn(v.value) {
		clusterName := strings.HasSuffix(ref.host, ".svc.cluster.local") || strings.HasSuffix(ref.host, ".svc")
		if ref.bare && !kk.address && !clusterName {
			continue
		}
		hostDesc := ref.host
		if ref.port != "" {
			hostDesc += ":" + ref.port
		}
		reason := fmt.Sprintf("env %s of container %s names %s%s", v.key, c.Name, hostDesc, v.note)
		svc, target := k.resolve(ref.host, w.namespace)
		switch {
		case svc != nil && len(svc.targets) > 0:
			portName := ""
			for i, p := range svc.obj.Spec.Ports {
				if strconv.Itoa(p.Port) == ref.port || (ref.port == "" && i == 0) {
					portName = p.Name + " " + p.AppProtocol
					break
				}
			}
			if len(svc.targets) > 1 {
				b.rep.assume("Service %s selects %d workloads (%s); a call to it counts as a call to each.", svc.obj.Metadata.Name, len(svc.targets), strings.Join(svc.targets, ", "))
			}
			for _, t := range svc.targets {
				b.addressEvidence(w.name, t, addressHint{ref: ref, key: kk, portName: portName}, reason, v.file, v.line)
			}
		case svc != nil:
			what := "selects no workload of the input"
			if svc.obj.Spec.ExternalName != "" {
				what = "points outside the cluster (externalName " + svc.obj.Spec.ExternalName + ")"
			}
			ext, created := b.external(sanitizeName(svc.obj.Metadata.Name))
			if created {
				b.rep.warn("Service %s %s; modelled as an external service", svc.obj.Metadata.Name, what)
			}
			b.addressEvidence(w.name, ext, addressHint{ref: ref, key: kk}, reason, v.file, v.line)
		case target != "":
			b.rep.warn("%s: %s names %s, a workload that no Service in the input exposes; assumed it reaches that workload", location(v.file, v.line), v.key, ref.host)
			b.addressEvidence(w.name, target, addressHint{ref: ref, key: kk}, reason, v.file, v.line)
		default:
			k.unresolved(w, ref, kk, clusterName, reason, v)
		}
	}
}

// resolve finds the Service a host names from a namespace: svc, svc.ns,
// svc.ns.svc or svc.ns.svc.cluster.local. Failing that, a workload of that
// name (which Kubernetes DNS would not resolve) is returned as a guess.
func (k *kubeImport) resolve(host, ns string) (*kubeService, string) {
	h := strings.TrimSuffix(strings.TrimSuffix(host, ".cluster.local"), ".svc")
	name, hostNS, dotted := strings.Cut(h, ".")
	if dotted && strings.Contains(hostNS, ".") {
		return nil, ""
	}
	var found *kubeService
	for _, s := range k.servicesByName[name] {
		sns := s.obj.Metadata.Namespace
		switch {
		case dotted && (sns == hostNS || sns == ""):
		case !dotted && sns == ns:
			return s, ""
		case !dotted && sameNamespace(sns, ns):
		default:
			continue
		}
		if found == nil {
			found = s
		}
	}
	if found != nil {
		return found, ""
	}
	for _, w := range k.workloadsByName[name] {
		wns := w.namespace
		if (dotted && (wns == hostNS || wns == "")) || (!dotted && sameNamespace(wns, ns)) {
			return nil, w.name
		}
	}
	return nil, ""
}

func (k *kubeImport) unresolved(w *workload, ref addrRef, kk keyKind, clusterName bool, reason string, v kubeVar) {
	b := k.b
	host := ref.host
	if clusterName {
		// zipkin.jaeger.svc.cluster.local is Service zipkin of namespace jaeger.
		host = strings.TrimSuffix(strings.TrimSuffix(host, ".cluster.local"), ".svc")
	} else {
		if !kk.address {
			return
		}
		if !serviceLike(host) {
			if strings.Contains(host, ".") && !ref.bare {
				b.rep.skip("%s: %s names %s, which the input does not deploy and which is not a service name; left out", location(v.file, v.line), v.key, host)
			}
			return
		}
	}
	ext, created := b.external(host)
	if created {
		b.rep.warn("%s is not deployed by these files but %s names it (%s at %s); modelled as an external service", ext, w.name, v.key, location(v.file, v.line))
	}
	b.addressEvidence(w.name, ext, addressHint{ref: ref, key: kk}, reason, v.file, v.line)
}

// defaultName names the model after the one namespace all objects share,
// else the directory the files share, else the first file.
func (k *kubeImport) defaultName(files []File) string {
	nss := map[string]bool{}
	for _, w := range k.workloads {
		if w.namespace != "" {
			nss[w.namespace] = true
		}
	}
	if len(nss) == 1 {
		for ns := range nss {
			return ns
		}
	}
	dir := path.Dir(slash(files[0].Name))
	for _, f := range files[1:] {
		for !strings.HasPrefix(path.Dir(slash(f.Name))+"/", dir+"/") && dir != "." && dir != "/" {
			dir = path.Dir(dir)
		}
	}
	if base := path.Base(dir); base != "." && base != "/" && base != ".." {
		return base
	}
	base := path.Base(slash(files[0].Name))
	if n := strings.TrimSuffix(base, path.Ext(base)); n != "" {
		return n
	}
	return "kubernetes"
}

func fileNames(files []File) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	if len(names) > 3 {
		names = append(names[:3], "…")
	}
	return strings.Join(names, ", ")
}
