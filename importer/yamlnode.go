package importer

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/archmap/archmap/topology"
	"gopkg.in/yaml.v3"
)

// parseDocs parses every YAML (or JSON) document of a file into nodes, which
// keep the line numbers that the report cites. Empty documents (only
// comments, or "---" alone) are dropped.
func parseDocs(f File) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	var docs []*yaml.Node
	for {
		n := new(yaml.Node)
		err := dec.Decode(n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, yamlError(f.Name, err)
		}
		if root := docRoot(n); root != nil && !(root.Kind == yaml.ScalarNode && root.Tag == "!!null") {
			docs = append(docs, n)
		}
	}
	return docs, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+): (.*)`)

// yamlError turns a yaml.v3 error into an EINVALID error naming the file and,
// when yaml.v3 gives one, the line: "compose.yaml:12: did not find expected key".
func yamlError(file string, err error) error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		return topology.Errorf(topology.EINVALID, "%s:%s: %s", file, m[1], strings.TrimSpace(m[2]))
	}
	return topology.Errorf(topology.EINVALID, "%s: %s", file, strings.TrimPrefix(msg, "yaml: "))
}

// lineError is an EINVALID error at a place in a file.
func lineError(file string, line int, format string, args ...any) error {
	e := topology.Errorf(topology.EINVALID, format, args...)
	if line > 0 {
		e.Message = file + ":" + strconv.Itoa(line) + ": " + e.Message
	} else {
		e.Message = file + ": " + e.Message
	}
	return e
}

// docRoot returns the content of a document node, following aliases.
func docRoot(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	return deref(n)
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// mapGet returns the key and value nodes of key in a mapping, or nils.
// Keys merged in with "<<: *anchor" count, as YAML (and compose) merges
// them: the key node returned is then the one in the anchored mapping, so
// its line is where the value is written.
func mapGet(n *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	k, v, _ := mapGetMerged(n, key, 0)
	return k, v
}

// mapGetMerged is mapGet that also returns the "<<" key through which the
// key was merged (nil when the mapping has it itself). Keys of the mapping
// win over merged ones, and earlier merged mappings over later ones.
func mapGetMerged(n *yaml.Node, key string, depth int) (k, v, via *yaml.Node) {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode || depth > 10 {
		return nil, nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && !isMergeKey(n.Content[i]) {
			return n.Content[i], deref(n.Content[i+1]), nil
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !isMergeKey(n.Content[i]) {
			continue
		}
		sources := []*yaml.Node{n.Content[i+1]}
		if m := deref(n.Content[i+1]); m != nil && m.Kind == yaml.SequenceNode {
			sources = m.Content
		}
		for _, src := range sources {
			if k, v, _ := mapGetMerged(src, key, depth+1); k != nil {
				return k, v, n.Content[i]
			}
		}
	}
	return nil, nil, nil
}

// isMergeKey reports whether a mapping key is YAML's merge key "<<".
func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge"
}

// mapKeys returns the keys of a mapping in file order.
func mapKeys(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	keys := make([]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i])
	}
	return keys
}

// isKubernetesDoc reports whether a document root has apiVersion and kind.
func isKubernetesDoc(root *yaml.Node) bool {
	_, a := mapGet(root, "apiVersion")
	_, k := mapGet(root, "kind")
	return a != nil && k != nil
}

// isComposeDoc reports whether a document root reads as a compose file: a
// mapping whose keys are all compose's top-level keys or extensions, with
// services (or include, or name) among them.
func isComposeDoc(root *yaml.Node) bool {
	root = deref(root)
	if root == nil || root.Kind != yaml.MappingNode || isKubernetesDoc(root) {
		return false
	}
	core := false
	for _, k := range mapKeys(root) {
		switch k.Value {
		case "services", "include", "name":
			core = true
		case "version", "networks", "volumes", "configs", "secrets", "models", "jobs":
		default:
			if !strings.HasPrefix(k.Value, "x-") {
				return false
			}
		}
	}
	return core
}
