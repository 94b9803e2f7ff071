package store

import (
	"context"
	"errors"
	"strconv"

	"github.com/archmap/archmap/topology"
)

// Records is a workspace's whole model with the id of every entity, read in
// one snapshot: what a page that edits entities needs, together with the
// revision to send back as the expected one.
type Records struct {
	Workspace    *Workspace
	Settings     topology.Settings
	Services     []ServiceRecord
	Servers      []ServerRecord
	Placements   []PlacementRecord
	Dependencies []DependencyRecord
	// AcceptedRisks are the model's acceptances, in the user's order.
	AcceptedRisks []topology.AcceptedRisk
}

// Model returns the records as a model, in the user's order, named and
// described like the workspace.
func (r *Records) Model() *topology.Model {
	m := &topology.Model{
		Version:      topology.FormatVersion,
		Name:         r.Workspace.Name,
		Description:  r.Workspace.Description,
		Settings:     r.Settings,
		Services:     make([]topology.Service, len(r.Services)),
		Servers:      make([]topology.Server, len(r.Servers)),
		Placements:   make([]topology.Placement, len(r.Placements)),
		Dependencies: make([]topology.Dependency, len(r.Dependencies)),
	}
	for i := range r.Services {
		m.Services[i] = r.Services[i].Service
	}
	for i := range r.Servers {
		m.Servers[i] = r.Servers[i].Server
	}
	for i := range r.Placements {
		m.Placements[i] = r.Placements[i].Placement
	}
	for i := range r.Dependencies {
		m.Dependencies[i] = r.Dependencies[i].Dependency
	}
	if len(r.AcceptedRisks) > 0 {
		m.AcceptedRisks = r.AcceptedRisks
	}
	return m
}

// LoadRecords returns the workspace's model with entity ids, or ENOTFOUND.
func (db *DB) LoadRecords(ctx context.Context, slug string) (*Records, error) {
	return readModel(ctx, db, "load model", slug, func(tx *Tx, ws *Workspace, set topology.Settings) (*Records, error) {
		return loadRecords(ctx, tx, ws, set)
	})
}

// LoadModel returns the workspace's model, in the user's order, with the
// workspace's name, description and settings, and the workspace itself
// (whose Revision is the model's), or ENOTFOUND.
func (db *DB) LoadModel(ctx context.Context, slug string) (*topology.Model, *Workspace, error) {
	r, err := db.LoadRecords(ctx, slug)
	if err != nil {
		return nil, nil, err
	}
	return r.Model(), r.Workspace, nil
}

// ReplaceModel replaces the workspace's model by m in one transaction: the
// model's name, description and settings become the workspace's (the slug
// stays). Entities whose names m keeps keep their ids; m's order becomes the
// stored order. Defaults are applied to a copy of m, which must then be
// valid. expectedRevision 0 skips the check for a concurrent change, else a
// mismatch is EPRECONDITION.
func (db *DB) ReplaceModel(ctx context.Context, slug string, m *topology.Model, expectedRevision int64) (*Workspace, error) {
	return writeModel(ctx, db, "replace model", slug, expectedRevision, func(tx *Tx, ws *Workspace) error {
		m = withDefaults(m)
		if err := m.Validate(); err != nil {
			return err
		}
		return replaceModel(ctx, tx, ws.ID, m)
	})
}

// ImportModel stores m in the workspace named slug: it creates the workspace
// (named m.Name) when there is none, else replaces its model as ReplaceModel
// does without a revision check. created tells which happened.
func (db *DB) ImportModel(ctx context.Context, slug string, m *topology.Model) (ws *Workspace, created bool, err error) {
	ws, err = inWrite(ctx, db, "import model", func(tx *Tx) (*Workspace, error) {
		m = withDefaults(m)
		if err := m.Validate(); err != nil {
			return nil, err
		}
		replace := func(tx *Tx, ws *Workspace) error { return replaceModel(ctx, tx, ws.ID, m) }
		ws, _, err := findWorkspace(ctx, tx, slug)
		switch {
		case err == nil:
			return changeModel(ctx, tx, ws, replace)
		case topology.ErrorCode(err) != topology.ENOTFOUND:
			return nil, err
		case !ValidSlug(slug):
			return nil, topology.Errorf(topology.EINVALID,
				"workspace: %s is not a valid slug (lowercase letters, digits and single dashes, at most %d characters)", strconv.Quote(slug), MaxSlugLen)
		}
		// The imported model is the new workspace's first revision.
		if ws, err = createWorkspace(ctx, tx, slug, m); err != nil {
			return nil, err
		}
		created = true
		if err := replace(tx, ws); err != nil {
			return nil, err
		}
		return ws, recordRevision(ctx, tx, ws)
	})
	if err != nil {
		return nil, false, err
	}
	return ws, created, nil
}

// withDefaults returns a copy of m with its defaults applied, leaving the
// caller's model as it was.
func withDefaults(m *topology.Model) *topology.Model {
	c := *m
	c.Services = append([]topology.Service(nil), m.Services...)
	c.Servers = append([]topology.Server(nil), m.Servers...)
	c.Placements = append([]topology.Placement(nil), m.Placements...)
	c.Dependencies = append([]topology.Dependency(nil), m.Dependencies...)
	c.AcceptedRisks = append([]topology.AcceptedRisk(nil), m.AcceptedRisks...)
	c.ApplyDefaults()
	return &c
}

// loadRecords reads the whole model of workspace ws inside tx.
func loadRecords(ctx context.Context, tx *Tx, ws *Workspace, set topology.Settings) (*Records, error) {
	r := &Records{Workspace: ws, Settings: set}
	// Counting first (from the indexes, cheap) lets each list be allocated
	// once instead of growing through a dozen copies on a big model.
	var nServices, nServers, nPlacements, nDependencies int
	if err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM services WHERE workspace_id = ?1),
		(SELECT COUNT(*) FROM servers WHERE workspace_id = ?1),
		(SELECT COUNT(*) FROM placements WHERE workspace_id = ?1),
		(SELECT COUNT(*) FROM dependencies WHERE workspace_id = ?1)`, ws.ID).Scan(&nServices, &nServers, &nPlacements, &nDependencies); err != nil {
		return nil, err
	}
	var err error
	if r.Services, err = queryListCap(ctx, tx, nServices, serviceTable.list, scanService, ws.ID); err != nil {
		return nil, err
	}
	if r.Servers, err = queryListCap(ctx, tx, nServers, serverTable.list, scanServer, ws.ID); err != nil {
		return nil, err
	}
	// Names come from the services and servers just read rather than from
	// joins: on a model of 10 000 services that halves the time of a load.
	services := make(map[int64]string, len(r.Services))
	for _, s := range r.Services {
		services[s.ID] = s.Name
	}
	servers := make(map[int64]string, len(r.Servers))
	for _, s := range r.Servers {
		servers[s.ID] = s.Name
	}
	r.Placements, err = queryListCap(ctx, tx, nPlacements, "SELECT id, service_id, server_id, instances FROM placements WHERE workspace_id = ? ORDER BY position, id",
		func(row scanner) (PlacementRecord, error) {
			var p PlacementRecord
			err := row.Scan(&p.ID, &p.ServiceID, &p.ServerID, &p.Instances)
			p.Service, p.Server = services[p.ServiceID], servers[p.ServerID]
			return p, err
		}, ws.ID)
	if err != nil {
		return nil, err
	}
	r.Dependencies, err = queryListCap(ctx, tx, nDependencies, `SELECT id, from_service_id, to_service_id, protocol, mode, calls_per_request, description
		FROM dependencies WHERE workspace_id = ? ORDER BY position, id`,
		func(row scanner) (DependencyRecord, error) {
			var d DependencyRecord
			var protocol, mode string
			err := row.Scan(&d.ID, &d.FromID, &d.ToID, &protocol, &mode, &d.CallsPerRequest, &d.Description)
			d.From, d.To = services[d.FromID], services[d.ToID]
			d.Protocol, d.Mode = topology.Protocol(protocol), topology.Mode(mode)
			return d, err
		}, ws.ID)
	if err != nil {
		return nil, err
	}
	if r.AcceptedRisks, err = queryList(ctx, tx, acceptedRiskSelect, scanAcceptedRisk, ws.ID); err != nil {
		return nil, err
	}
	if len(r.AcceptedRisks) == 0 {
		r.AcceptedRisks = nil
	}
	return r, nil
}

// queryList runs a query and scans each row with scan.
func queryList[T any](ctx context.Context, tx *Tx, query string, scan func(scanner) (T, error), args ...any) ([]T, error) {
	return queryListCap(ctx, tx, 0, query, scan, args...)
}

// queryListCap is queryList for a result of about n rows, allocated once.
func queryListCap[T any](ctx context.Context, tx *Tx, n int, query string, scan func(scanner) (T, error), args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]T, 0, n)
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// nextPosition is the position after the last entity of a table in a workspace.
func nextPosition(ctx context.Context, tx *Tx, table string, wsID int64) (int64, error) {
	var p int64
	err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(position), -1) + 1 FROM "+table+" WHERE workspace_id = ?", wsID).Scan(&p)
	return p, err
}

// replaceModel makes the stored entities of workspace wsID equal to m's
// (already valid) entities. Entities are matched by name (placements and
// dependencies by their pair) so that unchanged ones keep their ids;
// the rest are inserted or deleted, with prepared statements because a
// model may hold tens of thousands of rows.
func replaceModel(ctx context.Context, tx *Tx, wsID int64, m *topology.Model) error {
	if err := checkNameFree(ctx, tx, m.Name, wsID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE workspaces SET name = ?, description = ?,
		chatty_calls_per_request = ?, max_sync_chain = ?, blast_radius = ? WHERE id = ?`,
		m.Name, m.Description, m.Settings.ChattyCallsPerRequest, m.Settings.MaxSyncChain, m.Settings.BlastRadius, wsID); err != nil {
		return err
	}
	services, err := replaceServices(ctx, tx, wsID, m.Services)
	if err != nil {
		return err
	}
	servers, err := replaceServers(ctx, tx, wsID, m.Servers)
	if err != nil {
		return err
	}
	if err := replacePlacements(ctx, tx, wsID, m.Placements, services, servers); err != nil {
		return err
	}
	if err := replaceDependencies(ctx, tx, wsID, m.Dependencies, services); err != nil {
		return err
	}
	return replaceAcceptedRisks(ctx, tx, wsID, m.AcceptedRisks)
}

// idPair keys placements (service, server) and dependencies (from, to).
type idPair struct{ a, b int64 }

// existingIDs maps the key of each stored row of a workspace to its id.
func existingIDs[K comparable](ctx context.Context, tx *Tx, query string, wsID int64, key func(scanner) (K, int64, error)) (map[K]int64, error) {
	rows, err := tx.QueryContext(ctx, query, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[K]int64{}
	for rows.Next() {
		k, id, err := key(rows)
		if err != nil {
			return nil, err
		}
		ids[k] = id
	}
	return ids, rows.Err()
}

func scanNameID(row scanner) (string, int64, error) {
	var name string
	var id int64
	err := row.Scan(&name, &id)
	return name, id, err
}

func scanPairID(row scanner) (idPair, int64, error) {
	var k idPair
	var id int64
	err := row.Scan(&k.a, &k.b, &id)
	return k, id, err
}

// deleteLeftovers deletes, with one prepared statement, the rows whose ids
// the new model no longer has.
func deleteLeftovers[K comparable](ctx context.Context, tx *Tx, table string, left map[K]int64) error {
	if len(left) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, "DELETE FROM "+table+" WHERE id = ?")
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, id := range left {
		if _, err := stmt.ExecContext(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func replaceServices(ctx context.Context, tx *Tx, wsID int64, list []topology.Service) (map[string]int64, error) {
	old, err := existingIDs(ctx, tx, "SELECT name, id FROM services WHERE workspace_id = ?", wsID, scanNameID)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]int64, len(list))
	ins, err := newInserter(ctx, tx, "services", []string{"workspace_id", "position", "name", "name_key", "kind", "team", "tech", "description"}, ids)
	if err != nil {
		return nil, err
	}
	defer ins.release()
	upd, err := newUpdater(ctx, tx, "services", []string{"position", "kind", "team", "tech", "description"}, []string{"integer", "text", "text", "text", "text"})
	if err != nil {
		return nil, err
	}
	defer upd.release()
	for i, s := range list {
		if id, ok := old[s.Name]; ok {
			if err := upd.add(ctx, i, s.Kind, s.Team, s.Tech, s.Description, id); err != nil {
				return nil, err
			}
			ids[s.Name] = id
			delete(old, s.Name)
			continue
		}
		if err := ins.add(ctx, s.Name, wsID, i, s.Name, topology.NameKey(s.Name), s.Kind, s.Team, s.Tech, s.Description); err != nil {
			return nil, err
		}
	}
	if err := errors.Join(upd.close(ctx), ins.close(ctx)); err != nil {
		return nil, err
	}
	return ids, deleteLeftovers(ctx, tx, "services", old)
}

func replaceServers(ctx context.Context, tx *Tx, wsID int64, list []topology.Server) (map[string]int64, error) {
	old, err := existingIDs(ctx, tx, "SELECT name, id FROM servers WHERE workspace_id = ?", wsID, scanNameID)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]int64, len(list))
	ins, err := newInserter(ctx, tx, "servers", []string{"workspace_id", "position", "name", "name_key", "kind", "zone", "region"}, ids)
	if err != nil {
		return nil, err
	}
	defer ins.release()
	upd, err := newUpdater(ctx, tx, "servers", []string{"position", "kind", "zone", "region"}, []string{"integer", "text", "text", "text"})
	if err != nil {
		return nil, err
	}
	defer upd.release()
	for i, s := range list {
		if id, ok := old[s.Name]; ok {
			if err := upd.add(ctx, i, s.Kind, s.Zone, s.Region, id); err != nil {
				return nil, err
			}
			ids[s.Name] = id
			delete(old, s.Name)
			continue
		}
		if err := ins.add(ctx, s.Name, wsID, i, s.Name, topology.NameKey(s.Name), s.Kind, s.Zone, s.Region); err != nil {
			return nil, err
		}
	}
	if err := errors.Join(upd.close(ctx), ins.close(ctx)); err != nil {
		return nil, err
	}
	return ids, deleteLeftovers(ctx, tx, "servers", old)
}

// replacePlacements runs after services and servers, so placements of
// deleted services or servers are already gone by cascade.
func replacePlacements(ctx context.Context, tx *Tx, wsID int64, list []topology.Placement, services, servers map[string]int64) error {
	old, err := existingIDs(ctx, tx, "SELECT service_id, server_id, id FROM placements WHERE workspace_id = ?", wsID, scanPairID)
	if err != nil {
		return err
	}
	ins, err := newInserter(ctx, tx, "placements", []string{"workspace_id", "position", "service_id", "server_id", "instances"}, nil)
	if err != nil {
		return err
	}
	defer ins.release()
	upd, err := newUpdater(ctx, tx, "placements", []string{"position", "instances"}, []string{"integer", "integer"})
	if err != nil {
		return err
	}
	defer upd.release()
	for i, p := range list {
		k := idPair{services[p.Service], servers[p.Server]}
		if id, ok := old[k]; ok {
			if err := upd.add(ctx, i, p.Instances, id); err != nil {
				return err
			}
			delete(old, k)
			continue
		}
		if err := ins.add(ctx, "", wsID, i, k.a, k.b, p.Instances); err != nil {
			return err
		}
	}
	if err := errors.Join(upd.close(ctx), ins.close(ctx)); err != nil {
		return err
	}
	return deleteLeftovers(ctx, tx, "placements", old)
}

func replaceDependencies(ctx context.Context, tx *Tx, wsID int64, list []topology.Dependency, services map[string]int64) error {
	old, err := existingIDs(ctx, tx, "SELECT from_service_id, to_service_id, id FROM dependencies WHERE workspace_id = ?", wsID, scanPairID)
	if err != nil {
		return err
	}
	ins, err := newInserter(ctx, tx, "dependencies", []string{"workspace_id", "position", "from_service_id", "to_service_id", "protocol", "mode", "calls_per_request", "description"}, nil)
	if err != nil {
		return err
	}
	defer ins.release()
	upd, err := newUpdater(ctx, tx, "dependencies", []string{"position", "protocol", "mode", "calls_per_request", "description"}, []string{"integer", "text", "text", "double precision", "text"})
	if err != nil {
		return err
	}
	defer upd.release()
	for i, d := range list {
		k := idPair{services[d.From], services[d.To]}
		if id, ok := old[k]; ok {
			if err := upd.add(ctx, i, d.Protocol, d.Mode, d.CallsPerRequest, d.Description, id); err != nil {
				return err
			}
			delete(old, k)
			continue
		}
		if err := ins.add(ctx, "", wsID, i, k.a, k.b, d.Protocol, d.Mode, d.CallsPerRequest, d.Description); err != nil {
			return err
		}
	}
	if err := errors.Join(upd.close(ctx), ins.close(ctx)); err != nil {
		return err
	}
	return deleteLeftovers(ctx, tx, "dependencies", old)
}
