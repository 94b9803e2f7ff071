package importer

import (
	"fmt"
	"path"

	"gopkg.in/yaml.v3"

	"github.com/archmap/archmap/topology"
)

// Format is what a set of input files holds.
type Format string

// The formats Detect tells apart.
const (
	FormatUnknown    Format = ""
	FormatModel      Format = "model"
	FormatCompose    Format = "compose"
	FormatKubernetes Format = "kubernetes"
)

// Label names a format for people.
func (f Format) Label() string {
	switch f {
	case FormatModel:
		return "an archmap model"
	case FormatCompose:
		return "Docker Compose files"
	case FormatKubernetes:
		return "Kubernetes manifests"
	}
	return "an unknown format"
}

// Detection is what Detect found, with the evidence for it so that a
// mismatch can be explained in terms of what the files really are.
type Detection struct {
	Format Format
	// Evidence says where the format shows, e.g. "kind Deployment at
	// kubernetes-manifests.yaml:1"; empty when the format is unknown.
	Evidence string
	// Problem says why nothing could be detected (a YAML syntax error, files
	// of two formats), for the user; empty when a format was found.
	Problem string
}

// Detect tells from their content whether files hold an archmap model,
// compose files or Kubernetes manifests: a document with apiVersion and
// kind is Kubernetes, a mapping of compose's top-level keys whose services
// is a mapping is compose, and a mapping whose services is a list (or with
// servers, placements, dependencies or settings) is a model. .env files go
// with compose and decide nothing.
func Detect(files []File) Detection {
	var found Detection
	for _, f := range files {
		if isDotEnv(f.Name) {
			continue
		}
		if path.Base(slash(f.Name)) == "kustomization.yaml" || path.Base(slash(f.Name)) == "kustomization.yml" {
			continue // goes with manifests, decides nothing alone
		}
		docs, err := parseDocs(f)
		if err != nil {
			return Detection{Problem: fmt.Sprintf("%s (not valid YAML or JSON)", topology.ErrorMessage(err))}
		}
		for _, d := range docs {
			root := docRoot(d)
			format, evidence := detectDoc(root)
			if format == FormatUnknown {
				continue
			}
			evidence += " at " + location(f.Name, root.Line)
			switch {
			case found.Format == FormatUnknown:
				found = Detection{Format: format, Evidence: evidence}
			case found.Format != format:
				return Detection{Problem: fmt.Sprintf("the input mixes %s (%s) and %s (%s); import them separately", found.Format.Label(), found.Evidence, format.Label(), evidence)}
			}
		}
	}
	if found.Format == FormatUnknown && found.Problem == "" {
		found.Problem = "the input is neither an archmap model (a mapping with a list of services), nor compose files (top-level services mapping), nor Kubernetes manifests (apiVersion and kind)"
	}
	return found
}

// detectDoc classifies one document's root.
func detectDoc(root *yaml.Node) (Format, string) {
	if root == nil || root.Kind != yaml.MappingNode {
		return FormatUnknown, ""
	}
	if isKubernetesDoc(root) {
		_, kind := mapGet(root, "kind")
		return FormatKubernetes, "kind " + kind.Value
	}
	_, svcs := mapGet(root, "services")
	if svcs != nil && svcs.Kind == yaml.SequenceNode {
		return FormatModel, "a list of services"
	}
	for _, key := range []string{"servers", "placements", "dependencies", "settings"} {
		if k, _ := mapGet(root, key); k != nil {
			return FormatModel, "top-level " + key
		}
	}
	if isComposeDoc(root) {
		if svcs != nil && svcs.Kind == yaml.MappingNode {
			return FormatCompose, "a services mapping"
		}
		if k, _ := mapGet(root, "include"); k != nil {
			return FormatCompose, "top-level include"
		}
	}
	return FormatUnknown, ""
}
