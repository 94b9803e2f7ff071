package store

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/archmap/archmap/topology"
)

// MaxAddLinks bounds the servers a new service is placed on, and the
// services it calls, in one AddService: one form's worth, so that the
// transaction stays short whatever is posted.
const MaxAddLinks = 50

// NewService is a service with where it first runs and what it calls, as
// the editor's one add form gives them.
type NewService struct {
	topology.Service
	RunsOn []RunsOn
	// Calls are the dependencies from the new service; their From is the
	// new service's name whatever it says.
	Calls []topology.Dependency
}

// RunsOn is one server a new service is placed on.
type RunsOn struct {
	Server    string
	Instances int
	// NewServer makes the server when the workspace has none of that name,
	// instead of refusing the name; of NewServerKind (a VM when empty, as
	// the servers section's default), with no zone.
	NewServer     bool
	NewServerKind topology.ServerKind
}

// AddedService is what AddService stored.
type AddedService struct {
	Service      ServiceRecord
	Servers      []ServerRecord // made on the way
	Placements   []PlacementRecord
	Dependencies []DependencyRecord
}

// AddService adds a service together with its placements, the servers
// among them that are new (when asked), and its calls, as one change: one
// revision, or nothing at all. Every problem is reported at once in a
// *topology.ValidationError, each at the path of its field in the form —
// "name", "runs_on[0].server", "calls[1].to" — a taken name included (unlike
// CreateService's ECONFLICT), since it is one more thing to fix in the same
// form.
//
// It composes the single-entity writes (serviceTable.create, serverTable.create,
// placementTable.create, dependencyTable.create) inside one writeModel, after checking
// everything they would refuse, so that a refusal names the row it is about.
func (db *DB) AddService(ctx context.Context, slug string, in NewService, expectedRevision int64) (*AddedService, *Workspace, error) {
	var out *AddedService
	ws, err := writeModel(ctx, db, "add service", slug, expectedRevision, func(tx *Tx, ws *Workspace) (err error) {
		out, err = addService(ctx, tx, ws.ID, in)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return out, ws, nil
}

func addService(ctx context.Context, tx *Tx, wsID int64, in NewService) (*AddedService, error) {
	makeServers, err := checkNewService(ctx, tx, wsID, &in)
	if err != nil {
		return nil, err
	}
	out := &AddedService{}
	svc, err := serviceTable.create(ctx, tx, wsID, in.Service)
	if err != nil {
		return nil, err
	}
	out.Service = *svc
	for i, r := range in.RunsOn {
		if makeServers[i] {
			srv, err := serverTable.create(ctx, tx, wsID, topology.Server{Name: r.Server, Kind: r.NewServerKind})
			if err != nil {
				return nil, underPath(err, "runs_on["+strconv.Itoa(i)+"].server")
			}
			out.Servers = append(out.Servers, *srv)
		}
		pl, err := placementTable.create(ctx, tx, wsID, topology.Placement{Service: svc.Name, Server: r.Server, Instances: r.Instances})
		if err != nil {
			return nil, underPath(err, "runs_on["+strconv.Itoa(i)+"]")
		}
		out.Placements = append(out.Placements, *pl)
	}
	for i, d := range in.Calls {
		dep, err := dependencyTable.create(ctx, tx, wsID, d)
		if err != nil {
			return nil, underPath(err, "calls["+strconv.Itoa(i)+"]")
		}
		out.Dependencies = append(out.Dependencies, *dep)
	}
	return out, nil
}

// checkNewService finds every problem the writes would meet, with defaults
// applied to in, and says which rows' servers are to be made.
func checkNewService(ctx context.Context, tx *Tx, wsID int64, in *NewService) ([]bool, error) {
	var problems []topology.Problem
	add := func(path, msg string) { problems = append(problems, topology.Problem{Path: path, Message: msg}) }
	// adopt takes err's problems under prefix, dropping those of skip (the
	// new service's own name, reported once as "name").
	adopt := func(err error, prefix, skip string) error {
		var ve *topology.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		for _, p := range ve.Problems {
			if p.Path != skip {
				add(joinPath(prefix, p.Path), p.Message)
			}
		}
		return nil
	}
	check := func(err error, path string) error {
		var e *topology.Error
		if errors.As(err, &e) && (e.Code == topology.ECONFLICT || e.Code == topology.EINVALID) {
			_, msg, ok := strings.Cut(e.Message, ": ")
			if !ok {
				msg = e.Message
			}
			add(path, msg)
			return nil
		}
		return err
	}

	in.ApplyDefaults()
	if err := adopt(in.Validate(), "", ""); err != nil {
		return nil, err
	}
	if in.Name != "" && topology.ValidateName(in.Name) == "" {
		id, err := lookupID(ctx, tx, "services", wsID, in.Name)
		if err != nil {
			return nil, err
		}
		if id != 0 {
			add("name", "a service named "+strconv.Quote(in.Name)+" already exists")
		} else if err := check(checkLookalike(ctx, tx, "services", wsID, 0, in.Name), "name"); err != nil {
			return nil, err
		}
	}
	if len(in.RunsOn) > MaxAddLinks {
		add("runs_on", "at most "+strconv.Itoa(MaxAddLinks)+" servers at once")
		in.RunsOn = in.RunsOn[:MaxAddLinks]
	}
	if len(in.Calls) > MaxAddLinks {
		add("calls", "at most "+strconv.Itoa(MaxAddLinks)+" calls at once")
		in.Calls = in.Calls[:MaxAddLinks]
	}

	makeServers := make([]bool, len(in.RunsOn))
	seen := map[string]int{}
	for i := range in.RunsOn {
		r := &in.RunsOn[i]
		at := "runs_on[" + strconv.Itoa(i) + "]"
		pl := topology.Placement{Service: in.Name, Server: r.Server, Instances: r.Instances}
		pl.ApplyDefaults()
		r.Instances = pl.Instances
		if err := adopt(pl.Validate(), at, "service"); err != nil {
			return nil, err
		}
		if r.Server == "" {
			continue
		}
		if j, dup := seen[r.Server]; dup {
			add(at+".server", strconv.Quote(r.Server)+" is listed twice (also at runs_on["+strconv.Itoa(j)+"])")
			continue
		}
		seen[r.Server] = i
		id, err := lookupID(ctx, tx, "servers", wsID, r.Server)
		if err != nil {
			return nil, err
		}
		switch {
		case id != 0:
		case !r.NewServer:
			add(at+".server", "no server "+strconv.Quote(r.Server)+" (tick “add new servers” to add it)")
		default:
			srv := topology.Server{Name: r.Server, Kind: r.NewServerKind}
			srv.ApplyDefaults()
			r.NewServerKind = srv.Kind
			if err := adopt(srv.Validate(), at, ""); err != nil {
				return nil, err
			}
			if msg := topology.ValidateName(r.Server); msg != "" {
				continue // said by adopt, as "…name": say it at the field
			}
			if err := check(checkLookalike(ctx, tx, "servers", wsID, 0, r.Server), at+".server"); err != nil {
				return nil, err
			}
			makeServers[i] = true
		}
	}

	seen = map[string]int{}
	for i := range in.Calls {
		d := &in.Calls[i]
		at := "calls[" + strconv.Itoa(i) + "]"
		d.From = in.Name
		d.ApplyDefaults()
		if err := adopt(d.Validate(), at, "from"); err != nil {
			return nil, err
		}
		if d.To == "" {
			continue
		}
		if j, dup := seen[d.To]; dup {
			add(at+".to", strconv.Quote(d.To)+" is listed twice (also at calls["+strconv.Itoa(j)+"])")
			continue
		}
		seen[d.To] = i
		if d.To == in.Name {
			continue // a call to itself: the model allows it
		}
		id, err := lookupID(ctx, tx, "services", wsID, d.To)
		if err != nil {
			return nil, err
		}
		if id == 0 {
			add(at+".to", "no service "+strconv.Quote(d.To))
		}
	}
	if problems != nil {
		return nil, &topology.ValidationError{Problems: fixNamePaths(problems)}
	}
	return makeServers, nil
}

// fixNamePaths moves a new server's problems (from Server.Validate) to the
// fields the user typed them in: its name ("runs_on[0].name") to the row's
// server, its kind ("runs_on[0].kind") to the list's new_server_kind.
func fixNamePaths(ps []topology.Problem) []topology.Problem {
	for i, p := range ps {
		if !strings.HasPrefix(p.Path, "runs_on[") {
			continue
		}
		switch {
		case strings.HasSuffix(p.Path, "].name"):
			ps[i].Path = strings.TrimSuffix(p.Path, "name") + "server"
		case strings.HasSuffix(p.Path, "].kind"):
			ps[i].Path = "new_server_kind"
		}
	}
	return ps
}

func joinPath(prefix, path string) string {
	switch {
	case prefix == "":
		return path
	case path == "":
		return prefix
	}
	return prefix + "." + path
}

// underPath puts the problems of err under prefix ("calls[1]" + "to"), or
// an entity's "field: message" (a conflict) at prefix's field. Nothing the
// checks let through should get here; this keeps the row in the message if
// something does.
func underPath(err error, prefix string) error {
	var ve *topology.ValidationError
	if errors.As(err, &ve) {
		ps := make([]topology.Problem, len(ve.Problems))
		for i, p := range ve.Problems {
			ps[i] = topology.Problem{Path: joinPath(prefix, p.Path), Line: p.Line, Message: p.Message}
		}
		return &topology.ValidationError{Problems: ps}
	}
	var e *topology.Error
	if errors.As(err, &e) && e.Code != topology.EINTERNAL {
		field, msg, ok := strings.Cut(e.Message, ": ")
		if !ok || strings.ContainsAny(field, " \"") {
			return topology.Errorf(e.Code, "%s: %s", prefix, e.Message)
		}
		if strings.HasSuffix(prefix, ".server") {
			return topology.Errorf(e.Code, "%s: %s", prefix, msg)
		}
		return topology.Errorf(e.Code, "%s: %s", joinPath(prefix, field), msg)
	}
	return err
}

// PlaceService places a service on a server, as CreatePlacement does, and
// when newServer is set and the workspace has no server of that name, makes
// it first (a VM, no zone): one change, one revision, or nothing. A refused
// new server name is reported at "server", the field it was typed in.
func (db *DB) PlaceService(ctx context.Context, slug string, p topology.Placement, newServer bool, expectedRevision int64) (*PlacementRecord, *ServerRecord, *Workspace, error) {
	var pl *PlacementRecord
	var made *ServerRecord
	ws, err := writeModel(ctx, db, "create placement", slug, expectedRevision, func(tx *Tx, ws *Workspace) error {
		if newServer && p.Server != "" {
			id, err := lookupID(ctx, tx, "servers", ws.ID, p.Server)
			if err != nil {
				return err
			}
			if id == 0 {
				if made, err = serverTable.create(ctx, tx, ws.ID, topology.Server{Name: p.Server}); err != nil {
					return asServerField(err)
				}
			}
		}
		var err error
		pl, err = placementTable.create(ctx, tx, ws.ID, p)
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return pl, made, ws, nil
}

// asServerField moves a new server's "name" problems to "server".
func asServerField(err error) error {
	var ve *topology.ValidationError
	if errors.As(err, &ve) {
		ps := make([]topology.Problem, len(ve.Problems))
		for i, p := range ve.Problems {
			if p.Path == "name" {
				p.Path = "server"
			}
			ps[i] = p
		}
		return &topology.ValidationError{Problems: ps}
	}
	var e *topology.Error
	if errors.As(err, &e) {
		if msg, ok := strings.CutPrefix(e.Message, "name: "); ok {
			return topology.Errorf(e.Code, "server: %s", msg)
		}
	}
	return err
}
