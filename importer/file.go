package importer

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/archmap/archmap/topology"
)

// File is one input file held in memory, so that the CLI (which reads paths)
// and the web app (which receives uploads) feed the importers the same way.
// Name is the path as the user gave it; it names the file in errors and in
// the report, and its directory decides which .env sits beside a compose file.
type File struct {
	Name string
	Data []byte
}

// MaxInputSize bounds the total size of one import, like a model file.
const MaxInputSize = topology.MaxInputSize

// ReadPaths reads the named files and, for each directory, every YAML, YML,
// JSON and .env file below it (in lexical order, hidden directories skipped).
// A .env file beside the first named file is read too, since compose
// interpolates from it, and so are the files a compose file's include names
// (relative to it), since docker compose loads them. The total is bounded by
// MaxInputSize.
func ReadPaths(paths []string) ([]File, error) {
	if len(paths) == 0 {
		return nil, topology.Errorf(topology.EINVALID, "no input files given")
	}
	var (
		files []File
		seen  = map[string]bool{}
		total int64
	)
	add := func(name string) error {
		key := filepath.Clean(name)
		if seen[key] {
			return nil
		}
		seen[key] = true
		data, err := readBounded(name, MaxInputSize-total)
		if err != nil {
			return err
		}
		total += int64(len(data))
		files = append(files, File{Name: name, Data: data})
		return nil
	}
	for i, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, topology.Errorf(topology.EINVALID, "%s: %s", p, describeFSError(err))
		}
		if !info.IsDir() {
			if err := add(p); err != nil {
				return nil, err
			}
			if i == 0 {
				env := filepath.Join(filepath.Dir(p), ".env")
				if st, err := os.Stat(env); err == nil && st.Mode().IsRegular() {
					if err := add(env); err != nil {
						return nil, err
					}
				}
			}
			continue
		}
		err = filepath.WalkDir(p, func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				return topology.Errorf(topology.EINVALID, "%s: %s", name, describeFSError(err))
			}
			if d.IsDir() {
				if name != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || !wantedInDir(d.Name()) {
				return nil
			}
			return add(name)
		})
		if err != nil {
			return nil, err
		}
	}
	if len(files) == 0 {
		return nil, topology.Errorf(topology.EINVALID, "no YAML, JSON or .env files found in %s", strings.Join(paths, ", "))
	}
	// Compose's include names files relative to the including one; read
	// them too (and theirs), so that the import sees what docker compose
	// would. A missing one is left for the importer to report.
	for i := 0; i < len(files); i++ {
		f := files[i]
		if !hasInclude(f.Data) || isDotEnv(f.Name) {
			continue
		}
		docs, err := parseDocs(f)
		if err != nil {
			continue // the importer reports the syntax error with its line
		}
		for _, d := range docs {
			for _, ref := range includePaths(docRoot(d)) {
				p := filepath.FromSlash(ref.path)
				if !filepath.IsAbs(p) {
					p = filepath.Join(filepath.Dir(f.Name), p)
				}
				if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
					if err := add(p); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return files, nil
}

// Compose's default file names, in the order docker compose looks for them.
var (
	composeNames         = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}
	composeOverrideNames = []string{"compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml", "docker-compose.override.yml"}
)

// ReadComposePaths is ReadPaths for compose, where a directory means what it
// means to `docker compose` run in it: its compose file (compose.yaml, or
// docker-compose.yml...), its override file if any, and its .env, rather
// than every YAML file below it (Envoy configs, Kubernetes manifests).
func ReadComposePaths(paths []string) ([]File, error) {
	var expanded []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil || !info.IsDir() {
			expanded = append(expanded, p)
			continue
		}
		base := firstExisting(p, composeNames)
		if base == "" {
			return nil, topology.Errorf(topology.EINVALID, "%s: no %s in this directory", p, strings.Join(composeNames, ", "))
		}
		expanded = append(expanded, base)
		if o := firstExisting(p, composeOverrideNames); o != "" {
			expanded = append(expanded, o)
		}
		if env := firstExisting(p, []string{".env"}); env != "" {
			expanded = append(expanded, env)
		}
	}
	return ReadPaths(expanded)
}

func firstExisting(dir string, names []string) string {
	for _, n := range names {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// wantedInDir says which files of a directory are read.
func wantedInDir(name string) bool {
	if name == ".env" {
		return true
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// readBounded reads a file, failing with ETOOLARGE when it holds more than
// limit bytes, without reading more than limit+1 of them.
func readBounded(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, topology.Errorf(topology.EINVALID, "%s: %s", name, describeFSError(err))
	}
	defer f.Close()
	if limit < 0 {
		limit = 0
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, topology.Errorf(topology.EINVALID, "%s: %s", name, describeFSError(err))
	}
	if int64(len(data)) > limit {
		return nil, topology.Errorf(topology.ETOOLARGE, "input is larger than %d MiB (at %s)", MaxInputSize>>20, name)
	}
	return data, nil
}

// describeFSError keeps a file system error short: the path is already in
// the message that wraps it.
func describeFSError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// totalSize checks files given in memory (web uploads) against the same bound.
func totalSize(files []File) error {
	var total int
	for _, f := range files {
		total += len(f.Data)
	}
	if total > MaxInputSize {
		return topology.Errorf(topology.ETOOLARGE, "input is larger than %d MiB", MaxInputSize>>20)
	}
	return nil
}
