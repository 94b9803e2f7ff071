package importer

import "sort"

// The node labels placement rules are written against.
const (
	labelZone       = "topology.kubernetes.io/zone"
	labelZoneLegacy = "failure-domain.beta.kubernetes.io/zone"
	labelHostname   = "kubernetes.io/hostname"
)

func isZoneKey(k string) bool { return k == labelZone || k == labelZoneLegacy }

// placementRules is what a pod spec says about where its replicas go, as far
// as the modelled cluster (nodes with a zone each) can express it.
type placementRules struct {
	// zones the pods may run in (nodeSelector or required nodeAffinity on
	// the zone label); nil means any. notZones are excluded (NotIn).
	zones    map[string]bool
	notZones map[string]bool
	// onePerNode and onePerZone: a required podAntiAffinity against the
	// workload's own pods on the hostname or the zone.
	onePerNode, onePerZone bool
	// spreadZones: topologySpreadConstraints (or a preferred
	// podAntiAffinity) over zones; spreadNodes the same over nodes.
	spreadZones, spreadNodes bool
	// used lists the rules honoured, for the report.
	used []string
}

// rulesOf reads the placement rules of a workload's pod spec.
func rulesOf(w *workload) placementRules {
	var r placementRules
	spec := w.pod
	for _, k := range []string{labelZone, labelZoneLegacy} {
		if z, ok := spec.NodeSelector[k]; ok {
			r.zones = map[string]bool{z: true}
			r.used = append(r.used, "nodeSelector "+k+"="+z)
		}
	}
	if a := spec.Affinity; a != nil {
		if na := a.NodeAffinity; na != nil && na.Required != nil {
			// Terms are ORed: the zones allowed are the union of what each
			// term allows; a term without a zone expression allows any.
			var union map[string]bool
			anyZone := false
			for _, term := range na.Required.NodeSelectorTerms {
				var in map[string]bool
				for _, e := range term.MatchExpressions {
					if !isZoneKey(e.Key) {
						continue
					}
					switch e.Operator {
					case "In":
						in = setOf(e.Values)
					case "NotIn":
						if r.notZones == nil {
							r.notZones = map[string]bool{}
						}
						for _, v := range e.Values {
							r.notZones[v] = true
						}
					}
				}
				if in == nil {
					anyZone = true
					continue
				}
				if union == nil {
					union = map[string]bool{}
				}
				for z := range in {
					union[z] = true
				}
			}
			if union != nil && !anyZone {
				r.zones = intersect(r.zones, union)
			}
			if union != nil || r.notZones != nil {
				r.used = append(r.used, "nodeAffinity on "+labelZone)
			}
		}
		if pa := a.PodAntiAffinity; pa != nil {
			for _, t := range pa.Required {
				if !selectsSelf(t.LabelSelector, w.labels) {
					continue
				}
				switch {
				case t.TopologyKey == labelHostname:
					r.onePerNode = true
					r.used = append(r.used, "podAntiAffinity on "+labelHostname+" (one replica per node)")
				case isZoneKey(t.TopologyKey):
					r.onePerZone = true
					r.used = append(r.used, "podAntiAffinity on "+labelZone+" (one replica per zone)")
				}
			}
			for _, p := range pa.Preferred {
				if !selectsSelf(p.Term.LabelSelector, w.labels) {
					continue
				}
				switch {
				case p.Term.TopologyKey == labelHostname:
					r.spreadNodes = true
					r.used = append(r.used, "preferred podAntiAffinity on "+labelHostname)
				case isZoneKey(p.Term.TopologyKey):
					r.spreadZones = true
					r.used = append(r.used, "preferred podAntiAffinity on "+labelZone)
				}
			}
		}
	}
	for _, c := range spec.TopologySpreadConstraints {
		switch {
		case isZoneKey(c.TopologyKey):
			r.spreadZones = true
			r.used = append(r.used, "topologySpreadConstraints over zones")
		case c.TopologyKey == labelHostname:
			r.spreadNodes = true
			r.used = append(r.used, "topologySpreadConstraints over nodes")
		}
	}
	return r
}

// zonesNamed lists the zones a workload's rules name, to model the cluster's
// zones from the manifests when none are given.
func (r placementRules) zonesNamed() []string {
	var out []string
	for z := range r.zones {
		out = append(out, z)
	}
	for z := range r.notZones {
		out = append(out, z)
	}
	return out
}

// allows reports whether a pod may run in a zone.
func (r placementRules) allows(zone string) bool {
	if r.zones != nil && !r.zones[zone] {
		return false
	}
	return !r.notZones[zone]
}

// selectsSelf reports whether an affinity term's selector picks the
// workload's own pods (the common "keep my replicas apart" rule). A term
// without a selector selects nothing, as in Kubernetes.
func selectsSelf(sel *labelSelector, labels map[string]string) bool {
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return false
	}
	if !selects(sel.MatchLabels, labels) {
		return false
	}
	for _, e := range sel.MatchExpressions {
		v, has := labels[e.Key]
		switch e.Operator {
		case "In":
			if !has || !setOf(e.Values)[v] {
				return false
			}
		case "NotIn":
			if has && setOf(e.Values)[v] {
				return false
			}
		case "Exists":
			if !has {
				return false
			}
		case "DoesNotExist":
			if has {
				return false
			}
		}
	}
	return true
}

func setOf(values []string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

// intersect returns a ∩ b, where nil means "everything".
func intersect(a, b map[string]bool) map[string]bool {
	if a == nil {
		return b
	}
	out := map[string]bool{}
	for k := range a {
		if b[k] {
			out[k] = true
		}
	}
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
