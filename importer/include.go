package importer

import (
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// includePaths lists the files a compose document's top-level include names
// ("- a.yaml", "- path: b.yaml", "- path: [c.yaml, d.yaml]"), each with the
// line it is named on, as written (relative to the including file).
func includePaths(root *yaml.Node) []includeRef {
	_, list := mapGet(root, "include")
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil
	}
	var refs []includeRef
	for _, item := range list.Content {
		item = deref(item)
		switch item.Kind {
		case yaml.ScalarNode:
			refs = append(refs, includeRef{item.Value, item.Line})
		case yaml.MappingNode:
			_, p := mapGet(item, "path")
			switch {
			case p == nil:
			case p.Kind == yaml.ScalarNode:
				refs = append(refs, includeRef{p.Value, p.Line})
			case p.Kind == yaml.SequenceNode:
				for _, q := range p.Content {
					if q = deref(q); q.Kind == yaml.ScalarNode {
						refs = append(refs, includeRef{q.Value, q.Line})
					}
				}
			}
		}
	}
	return refs
}

type includeRef struct {
	path string
	line int
}

// orderIncludes follows the include of each compose file to the files of
// the input it names, and returns the files in loading order: every
// included file before the file including it, so that compose-go sees its
// services (as `docker compose` imports them). An include naming a file
// that is not among the input is reported and left out; one naming a file
// that includes it back is an error, as in compose.
func orderIncludes(configs []composeFile, b *builder) ([]composeFile, error) {
	byName := map[string]int{}
	byBase := map[string][]int{}
	for i, f := range configs {
		byName[cleanName(f.Name)] = i
		base := path.Base(slash(f.Name))
		byBase[base] = append(byBase[base], i)
	}
	const (
		unseen = iota
		visiting
		done
	)
	state := make([]int, len(configs))
	var order []composeFile
	var visit func(i int) error
	visit = func(i int) error {
		state[i] = visiting
		f := configs[i]
		for _, d := range f.docs {
			for _, ref := range includePaths(docRoot(d)) {
				p := slash(ref.path)
				if !path.IsAbs(p) {
					p = path.Join(path.Dir(slash(f.Name)), p)
				}
				j, ok := byName[cleanName(p)]
				if !ok {
					// Uploads carry no directories: a file of the same base
					// name, when only one has it, is the one meant.
					if c := byBase[path.Base(p)]; len(c) == 1 && c[0] != i {
						j, ok = c[0], true
					}
				}
				at := location(f.Name, ref.line)
				if !ok {
					b.rep.skip("%s: include %s is not among the given files, so its services are not imported; give it as one more file", at, ref.path)
					continue
				}
				switch state[j] {
				case visiting:
					return lineError(f.Name, ref.line, "include %s: %s includes %s back (an include cycle)", ref.path, configs[j].Name, f.Name)
				case unseen:
					if err := visit(j); err != nil {
						return err
					}
				}
				b.rep.assume("%s: include %s followed: the services of %s are imported with this project.", at, ref.path, configs[j].Name)
			}
		}
		state[i] = done
		order = append(order, f)
		return nil
	}
	for i := range configs {
		if state[i] == unseen {
			if err := visit(i); err != nil {
				return nil, err
			}
		}
	}
	return order, nil
}

// hasInclude reports whether a file's text may hold a top-level include, a
// cheap test before parsing it.
func hasInclude(data []byte) bool {
	return strings.Contains(string(data), "include")
}
