package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/archmap/archmap/topology"
)

// Revision is one entry of a workspace's history: the change that made the
// model what it was at Revision, who made it and what it did.
type Revision struct {
	Revision  int64     `json:"revision"`
	CreatedAt time.Time `json:"created_at"`
	Author    string    `json:"author"`
	Summary   string    `json:"summary"`
	// Findings counts the open findings of the model at this revision,
	// once someone has counted them (SetRevisionFindings); nil before.
	Findings *FindingCounts `json:"-"`
}

// FindingCounts counts open findings by severity.
type FindingCounts struct {
	High   int `json:"high"`
	Medium int `json:"medium"`
	Low    int `json:"low"`
	Info   int `json:"info"`
}

// How history works (migrations/0003_history.sql): triggers record every
// change of a model's rows as JSON images before and after; each write
// transaction ends with a revision row that marks where its changes end.
// A model at an old revision is the current rows with the later changes
// undone, so a one-entity edit costs one small change row, and the model
// is rebuilt in time linear in the model and the changes since.

type changeCtxKey struct{}

// Change says who makes a write and, when the caller knows better than a
// list of the rows it touched, what it is ("restored revision 3").
type Change struct {
	Author  string
	Summary string
}

// WithChange returns a context whose writes are recorded in the history as
// made by c.Author (a user's email, "name (API token NAME)", "archmap
// import"), with c.Summary when it is set.
func WithChange(ctx context.Context, c Change) context.Context {
	return context.WithValue(ctx, changeCtxKey{}, c)
}

func changeFrom(ctx context.Context) Change {
	c, _ := ctx.Value(changeCtxKey{}).(Change)
	return c
}

// maxSummary bounds a revision's summary; a bigger change is summarised by
// counts.
const maxSummary = 300

// recordRevision ends a write transaction that made ws.Revision: it marks
// where the transaction's changes end and records its author and summary.
func recordRevision(ctx context.Context, tx *Tx, ws *Workspace) error {
	var prev int64
	err := tx.QueryRowContext(ctx, "SELECT last_seq FROM revisions WHERE workspace_id = ? ORDER BY revision DESC LIMIT 1", ws.ID).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var last int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM model_changes WHERE workspace_id = ?", ws.ID).Scan(&last); err != nil {
		return err
	}
	c := changeFrom(ctx)
	summary := c.Summary
	if summary == "" {
		if summary, err = summarizeChanges(ctx, tx, ws.ID, prev, last); err != nil {
			return err
		}
		if ws.Revision == 1 {
			summary = "created the workspace" + strings.TrimPrefix("; "+summary, "; no change")
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO revisions (workspace_id, revision, created_at, author, summary, last_seq)
		VALUES (?, ?, ?, ?, ?, ?)`, ws.ID, ws.Revision, formatTime(tx.now), truncate(c.Author, 200), truncate(summary, maxSummary), last)
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// ListRevisions returns one page of the workspace's history, newest first,
// and how many revisions it has.
func (db *DB) ListRevisions(ctx context.Context, slug string, offset, limit int) ([]Revision, int, error) {
	if offset < 0 || limit < 1 {
		return nil, 0, topology.Errorf(topology.EINVALID, "page: offset must be at least 0 and limit at least 1, got %d and %d", offset, limit)
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, fail("list revisions", err)
	}
	defer tx.Rollback()
	ws, _, err := findWorkspace(ctx, tx, slug)
	if err != nil {
		return nil, 0, fail("list revisions", err)
	}
	var total int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM revisions WHERE workspace_id = ?", ws.ID).Scan(&total); err != nil {
		return nil, 0, fail("list revisions", err)
	}
	revs, err := queryList(ctx, tx, `SELECT revision, created_at, author, summary, findings FROM revisions
		WHERE workspace_id = ? ORDER BY revision DESC LIMIT ? OFFSET ?`, scanRevision, ws.ID, limit, offset)
	if err != nil {
		return nil, 0, fail("list revisions", err)
	}
	return revs, total, nil
}

func scanRevision(row scanner) (Revision, error) {
	var r Revision
	var created string
	var findings sql.NullString
	if err := row.Scan(&r.Revision, &created, &r.Author, &r.Summary, &findings); err != nil {
		return r, err
	}
	if findings.Valid {
		r.Findings = new(FindingCounts)
		if err := json.Unmarshal([]byte(findings.String), r.Findings); err != nil {
			return r, err
		}
	}
	t, err := parseTime(created)
	r.CreatedAt = t
	return r, err
}

// SetRevisionFindings files the counts of a revision's open findings, for
// the history to show without analysing old models again.
func (db *DB) SetRevisionFindings(ctx context.Context, slug string, counts map[int64]FindingCounts) error {
	if len(counts) == 0 {
		return nil
	}
	_, err := inWrite(ctx, db, "set revision findings", func(tx *Tx) (struct{}, error) {
		ws, _, err := findWorkspace(ctx, tx, slug)
		if err != nil {
			return struct{}{}, err
		}
		for rev, c := range counts {
			b, err := json.Marshal(c)
			if err != nil {
				return struct{}{}, err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE revisions SET findings = ? WHERE workspace_id = ? AND revision = ?", string(b), ws.ID, rev); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	})
	return err
}

// WalkRevisions calls fn with the model of each revision from newest down
// to oldest (both included, newest first), undoing the changes once for
// all of them: n revisions cost one rebuild, not n. Revisions the history
// lacks are skipped.
func (db *DB) WalkRevisions(ctx context.Context, slug string, newest, oldest int64, fn func(rev int64, m *topology.Model) error) error {
	_, err := readModel(ctx, db, "walk revisions", slug, func(tx *Tx, ws *Workspace, _ topology.Settings) (struct{}, error) {
		return struct{}{}, walkRevisions(ctx, tx, ws, newest, oldest, fn)
	})
	return err
}

// ModelAt rebuilds the workspace's model as it was at revision rev, with
// that revision's entry; ENOTFOUND when the workspace or the revision does
// not exist (or is older than the history kept).
func (db *DB) ModelAt(ctx context.Context, slug string, rev int64) (*topology.Model, *Revision, error) {
	var r *Revision
	m, err := readModel(ctx, db, "load revision", slug, func(tx *Tx, ws *Workspace, _ topology.Settings) (m *topology.Model, err error) {
		m, r, err = modelAt(ctx, tx, ws, rev)
		return m, err
	})
	if err != nil {
		return nil, nil, err
	}
	return m, r, nil
}

// RestoreRevision makes the model of revision rev the workspace's model
// again, as a new revision: nothing in the history is rewritten. It honours
// expectedRevision like every write.
func (db *DB) RestoreRevision(ctx context.Context, slug string, rev, expectedRevision int64) (*Workspace, error) {
	c := changeFrom(ctx)
	if c.Summary == "" {
		c.Summary = fmt.Sprintf("restored revision %d", rev)
	}
	return writeModel(WithChange(ctx, c), db, "restore revision", slug, expectedRevision, func(tx *Tx, ws *Workspace) error {
		m, _, err := modelAt(ctx, tx, ws, rev)
		if err != nil {
			return err
		}
		if err := m.Validate(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE workspaces SET name = ?, description = ?, chatty_calls_per_request = ?, max_sync_chain = ?, blast_radius = ? WHERE id = ?`,
			m.Name, m.Description, m.Settings.ChattyCallsPerRequest, m.Settings.MaxSyncChain, m.Settings.BlastRadius, ws.ID); err != nil {
			return err
		}
		return replaceModel(ctx, tx, ws.ID, m)
	})
}

// rowImage is a row of a model table as the history triggers write it
// (json_object of its columns). One type serves every table; each uses its
// own fields.
type rowImage struct {
	Position    int64   `json:"position"`
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	Team        string  `json:"team"`
	Tech        string  `json:"tech"`
	Description string  `json:"description"`
	Zone        string  `json:"zone"`
	Region      string  `json:"region"`
	ServiceID   int64   `json:"service_id"`
	ServerID    int64   `json:"server_id"`
	Instances   int     `json:"instances"`
	FromID      int64   `json:"from_service_id"`
	ToID        int64   `json:"to_service_id"`
	Protocol    string  `json:"protocol"`
	Mode        string  `json:"mode"`
	Calls       float64 `json:"calls_per_request"`
	// accepted_risks (subjects: the column's JSON array, as text)
	Rule     string `json:"rule"`
	Subjects string `json:"subjects"`
	Reason   string `json:"reason"`
	Owner    string `json:"owner"`
	Expires  string `json:"expires"`
	// workspaces
	Chatty       float64 `json:"chatty_calls_per_request"`
	MaxSyncChain int     `json:"max_sync_chain"`
	BlastRadius  int     `json:"blast_radius"`
}

// The current rows of each model table, in the images' shape, so that
// current rows and recorded changes are read by one decoder.
var imageSelects = map[string]string{
	"services": `SELECT id, json_object('position', position, 'name', name, 'kind', kind, 'team', team, 'tech', tech, 'description', description)
		FROM services WHERE workspace_id = ?`,
	"servers": `SELECT id, json_object('position', position, 'name', name, 'kind', kind, 'zone', zone, 'region', region)
		FROM servers WHERE workspace_id = ?`,
	"placements": `SELECT id, json_object('position', position, 'service_id', service_id, 'server_id', server_id, 'instances', instances)
		FROM placements WHERE workspace_id = ?`,
	"dependencies": `SELECT id, json_object('position', position, 'from_service_id', from_service_id, 'to_service_id', to_service_id,
		'protocol', protocol, 'mode', mode, 'calls_per_request', calls_per_request, 'description', description)
		FROM dependencies WHERE workspace_id = ?`,
	"accepted_risks": `SELECT id, json_object('position', position, 'rule', rule, 'subjects', subjects, 'reason', reason, 'owner', owner, 'expires', expires)
		FROM accepted_risks WHERE workspace_id = ?`,
}

// imageSelect is imageSelects[table] in tx's dialect: PostgreSQL calls
// json_object json_build_object (the triggers of its migration 0003 build
// the same images with it).
func imageSelect(tx *Tx, table string) string {
	if tx.pg {
		return strings.Replace(imageSelects[table], "json_object(", "json_build_object(", 1)
	}
	return imageSelects[table]
}

var modelTables = []string{"services", "servers", "placements", "dependencies", "accepted_risks"}

func decodeImage(s string) (rowImage, error) {
	var r rowImage
	err := json.Unmarshal([]byte(s), &r)
	return r, err
}

// modelAt rebuilds ws's model at revision rev inside tx.
func modelAt(ctx context.Context, tx *Tx, ws *Workspace, rev int64) (*topology.Model, *Revision, error) {
	r, err := scanRevisionWithSeq(tx.QueryRowContext(ctx,
		"SELECT revision, created_at, author, summary, last_seq FROM revisions WHERE workspace_id = ? AND revision = ?", ws.ID, rev), new(int64))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, topology.Errorf(topology.ENOTFOUND, "workspace %s has no revision %d", strconv.Quote(ws.Slug), rev)
	}
	if err != nil {
		return nil, nil, err
	}
	var m *topology.Model
	err = walkRevisions(ctx, tx, ws, rev, rev, func(_ int64, at *topology.Model) error {
		m = at
		return nil
	})
	return m, &r, err
}

// walkRevisions rebuilds the models of ws's revisions from newest down to
// oldest in one pass: from the current rows, it undoes the changes newest
// first, and hands over the model each time it reaches a revision's end.
func walkRevisions(ctx context.Context, tx *Tx, ws *Workspace, newest, oldest int64, fn func(int64, *topology.Model) error) error {
	type mark struct{ rev, last int64 }
	marks, err := queryList(ctx, tx, `SELECT revision, last_seq FROM revisions
		WHERE workspace_id = ? AND revision <= ? AND revision >= ? ORDER BY revision DESC`,
		func(row scanner) (mark, error) {
			var m mark
			return m, row.Scan(&m.rev, &m.last)
		}, ws.ID, newest, oldest)
	if err != nil || len(marks) == 0 {
		return err
	}
	header := rowImage{Name: ws.Name, Description: ws.Description}
	if err := tx.QueryRowContext(ctx, "SELECT name, description, chatty_calls_per_request, max_sync_chain, blast_radius FROM workspaces WHERE id = ?", ws.ID).
		Scan(&header.Name, &header.Description, &header.Chatty, &header.MaxSyncChain, &header.BlastRadius); err != nil {
		return err
	}
	rows := make(map[string]map[int64]rowImage, len(modelTables))
	for _, t := range modelTables {
		if rows[t], err = loadImages(ctx, tx, imageSelect(tx, t), ws.ID); err != nil {
			return err
		}
	}
	changes, err := tx.QueryContext(ctx, `SELECT seq, tbl, row_id, old_row FROM model_changes
		WHERE workspace_id = ? AND seq > ? ORDER BY seq DESC`, ws.ID, marks[len(marks)-1].last)
	if err != nil {
		return err
	}
	defer changes.Close()
	next := 0 // the next revision to hand over
	emitUpTo := func(seq int64) error {
		for next < len(marks) && seq <= marks[next].last {
			if err := fn(marks[next].rev, buildModel(header, rows)); err != nil {
				return err
			}
			next++
		}
		return nil
	}
	for changes.Next() {
		var seq, id int64
		var tbl string
		var old sql.NullString
		if err := changes.Scan(&seq, &tbl, &id, &old); err != nil {
			return err
		}
		if err := emitUpTo(seq); err != nil {
			return err
		}
		if !old.Valid {
			delete(rows[tbl], id)
			continue
		}
		img, err := decodeImage(old.String)
		if err != nil {
			return fmt.Errorf("history: change %d of %s %d: %w", seq, tbl, id, err)
		}
		if tbl == "workspaces" {
			header = img
		} else if rows[tbl] != nil {
			rows[tbl][id] = img
		}
	}
	if err := changes.Err(); err != nil {
		return err
	}
	return emitUpTo(0)
}

func scanRevisionWithSeq(row scanner, last *int64) (Revision, error) {
	var r Revision
	var created string
	if err := row.Scan(&r.Revision, &created, &r.Author, &r.Summary, last); err != nil {
		return r, err
	}
	t, err := parseTime(created)
	r.CreatedAt = t
	return r, err
}

func loadImages(ctx context.Context, tx *Tx, query string, wsID int64) (map[int64]rowImage, error) {
	rows, err := tx.QueryContext(ctx, query, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]rowImage{}
	for rows.Next() {
		var id int64
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			return nil, err
		}
		img, err := decodeImage(s)
		if err != nil {
			return nil, err
		}
		out[id] = img
	}
	return out, rows.Err()
}

type idImage struct {
	id  int64
	img rowImage
}

// ordered returns a table's rows in the user's order: position, then id,
// as the store reads them.
func ordered(rows map[int64]rowImage) []idImage {
	out := make([]idImage, 0, len(rows))
	for id, img := range rows {
		out = append(out, idImage{id, img})
	}
	slices.SortFunc(out, func(a, b idImage) int {
		return cmp.Or(cmp.Compare(a.img.Position, b.img.Position), cmp.Compare(a.id, b.id))
	})
	return out
}

func buildModel(header rowImage, rows map[string]map[int64]rowImage) *topology.Model {
	m := &topology.Model{
		Version:     topology.FormatVersion,
		Name:        header.Name,
		Description: header.Description,
		Settings: topology.Settings{
			ChattyCallsPerRequest: header.Chatty,
			MaxSyncChain:          header.MaxSyncChain,
			BlastRadius:           header.BlastRadius,
		},
		Services:     []topology.Service{},
		Servers:      []topology.Server{},
		Placements:   []topology.Placement{},
		Dependencies: []topology.Dependency{},
	}
	for _, r := range ordered(rows["services"]) {
		m.Services = append(m.Services, topology.Service{Name: r.img.Name, Kind: topology.ServiceKind(r.img.Kind), Team: r.img.Team, Tech: r.img.Tech, Description: r.img.Description})
	}
	for _, r := range ordered(rows["servers"]) {
		m.Servers = append(m.Servers, topology.Server{Name: r.img.Name, Kind: topology.ServerKind(r.img.Kind), Zone: r.img.Zone, Region: r.img.Region})
	}
	svc, srv := rows["services"], rows["servers"]
	for _, r := range ordered(rows["placements"]) {
		m.Placements = append(m.Placements, topology.Placement{Service: svc[r.img.ServiceID].Name, Server: srv[r.img.ServerID].Name, Instances: r.img.Instances})
	}
	for _, r := range ordered(rows["dependencies"]) {
		m.Dependencies = append(m.Dependencies, topology.Dependency{
			From: svc[r.img.FromID].Name, To: svc[r.img.ToID].Name,
			Protocol: topology.Protocol(r.img.Protocol), Mode: topology.Mode(r.img.Mode),
			CallsPerRequest: r.img.Calls, Description: r.img.Description,
		})
	}
	for _, r := range ordered(rows["accepted_risks"]) {
		a := topology.AcceptedRisk{Rule: r.img.Rule, Reason: r.img.Reason, Owner: r.img.Owner, Expires: r.img.Expires}
		_ = json.Unmarshal([]byte(r.img.Subjects), &a.Subjects) // written by the store as a JSON array
		m.AcceptedRisks = append(m.AcceptedRisks, a)
	}
	return m
}

// recordedChange is one row change as the history triggers recorded it.
type recordedChange struct {
	tbl      string
	id       int64
	old, new *rowImage
}

// readChanges reads the changes (prev, last] of a workspace in order, and
// the names of the services and servers they show.
func readChanges(ctx context.Context, tx *Tx, wsID, prev, last int64) ([]recordedChange, map[string]map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT tbl, row_id, old_row, new_row FROM model_changes
		WHERE workspace_id = ? AND seq > ? AND seq <= ? ORDER BY seq`, wsID, prev, last)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var cs []recordedChange
	names := map[string]map[int64]string{"services": {}, "servers": {}}
	for rows.Next() {
		var c recordedChange
		var old, nw sql.NullString
		if err := rows.Scan(&c.tbl, &c.id, &old, &nw); err != nil {
			return nil, nil, err
		}
		for _, side := range []struct {
			s   sql.NullString
			dst **rowImage
		}{{old, &c.old}, {nw, &c.new}} {
			if !side.s.Valid {
				continue
			}
			img, err := decodeImage(side.s.String)
			if err != nil {
				return nil, nil, err
			}
			*side.dst = &img
			if names[c.tbl] != nil {
				names[c.tbl][c.id] = img.Name
			}
		}
		cs = append(cs, c)
	}
	return cs, names, rows.Err()
}

// A transaction with more changed rows than maxDetailedChanges is
// summarised by counts alone, without reading each row; so is one whose
// summary would take more than maxSummaryPhrases phrases.
const (
	maxDetailedChanges = 20
	maxSummaryPhrases  = 4
)

// summarizeChanges says in a line what the changes (prev, last] did:
// "placed cart on node-b ×2", "removed service legacy (and 3 calls)",
// or for a big change "imported: +12 services, −3 placements, ~4 calls".
func summarizeChanges(ctx context.Context, tx *Tx, wsID, prev, last int64) (string, error) {
	if last <= prev {
		return "no change", nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM model_changes WHERE workspace_id = ? AND seq > ? AND seq <= ?", wsID, prev, last).Scan(&n); err != nil {
		return "", err
	}
	if n > maxDetailedChanges {
		return summarizeCounts(ctx, tx, wsID, prev, last, n)
	}
	cs, names, err := readChanges(ctx, tx, wsID, prev, last)
	if err != nil {
		return "", err
	}
	name := func(tbl string, id int64) string {
		if n, ok := names[tbl][id]; ok {
			return n
		}
		var n string
		if err := tx.QueryRowContext(ctx, "SELECT name FROM "+tbl+" WHERE id = ?", id).Scan(&n); err != nil {
			return "#" + strconv.FormatInt(id, 10)
		}
		names[tbl][id] = n
		return n
	}
	// Placements and calls removed with their service or server are
	// counted with it, not listed.
	gone := map[string]map[int64]bool{"services": {}, "servers": {}}
	for _, c := range cs {
		if c.new == nil && gone[c.tbl] != nil {
			gone[c.tbl][c.id] = true
		}
	}
	var parts []string
	cascaded := 0
	for _, c := range cs {
		switch {
		case c.tbl == "workspaces":
			parts = append(parts, headerPhrase(c.old, c.new))
		case c.tbl == "placements":
			p := c.new
			if p == nil {
				p = c.old
			}
			svc, srv := name("services", p.ServiceID), name("servers", p.ServerID)
			switch {
			case c.old == nil:
				parts = append(parts, fmt.Sprintf("placed %s on %s%s", svc, srv, times(p.Instances)))
			case c.new == nil:
				if gone["services"][p.ServiceID] || gone["servers"][p.ServerID] {
					cascaded++
					continue
				}
				parts = append(parts, fmt.Sprintf("removed %s from %s", svc, srv))
			case c.old.Instances != c.new.Instances:
				parts = append(parts, fmt.Sprintf("%s on %s: %d → %d instances", svc, srv, c.old.Instances, c.new.Instances))
			default:
				continue // moved in the list only
			}
		case c.tbl == "dependencies":
			d := c.new
			if d == nil {
				d = c.old
			}
			call := name("services", d.FromID) + " → " + name("services", d.ToID)
			switch {
			case c.old == nil:
				parts = append(parts, "added call "+call)
			case c.new == nil:
				if gone["services"][d.FromID] || gone["services"][d.ToID] {
					cascaded++
					continue
				}
				parts = append(parts, "removed call "+call)
			default:
				fields := changedFields(c.old, c.new, "protocol", "mode", "calls_per_request", "description")
				if len(fields) == 0 {
					continue
				}
				parts = append(parts, "changed call "+call+" ("+strings.Join(fields, ", ")+")")
			}
		case c.tbl == "accepted_risks":
			a := c.new
			if a == nil {
				a = c.old
			}
			var subjects []string
			_ = json.Unmarshal([]byte(a.Subjects), &subjects)
			what := a.Rule + " of " + strings.Join(subjects, ", ")
			switch {
			case c.old == nil:
				parts = append(parts, "accepted "+what)
			case c.new == nil:
				parts = append(parts, "withdrew the acceptance of "+what)
			default:
				fields := changedFields(c.old, c.new, "reason", "owner", "expires")
				if len(fields) == 0 {
					continue
				}
				parts = append(parts, "changed the acceptance of "+what+" ("+strings.Join(fields, ", ")+")")
			}
		default: // services, servers
			noun := strings.TrimSuffix(c.tbl, "s")
			switch {
			case c.old == nil:
				parts = append(parts, "added "+noun+" "+c.new.Name)
			case c.new == nil:
				parts = append(parts, "removed "+noun+" "+c.old.Name)
			case c.old.Name != c.new.Name:
				parts = append(parts, "renamed "+noun+" "+c.old.Name+" to "+c.new.Name)
			default:
				fields := changedFields(c.old, c.new, "kind", "team", "tech", "description", "zone", "region")
				if len(fields) == 0 {
					continue
				}
				parts = append(parts, "changed "+noun+" "+c.new.Name+" ("+strings.Join(fields, ", ")+")")
			}
		}
	}
	if cascaded > 0 {
		parts = append(parts, fmt.Sprintf("with %d placement(s) and call(s) that went with it", cascaded))
	}
	switch {
	case len(parts) == 0:
		return "reordered the model", nil
	case len(parts) > maxSummaryPhrases:
		return summarizeCounts(ctx, tx, wsID, prev, last, n)
	}
	return strings.Join(parts, "; "), nil
}

func times(n int) string {
	if n <= 1 {
		return ""
	}
	return fmt.Sprintf(" ×%d", n)
}

func headerPhrase(old, nw *rowImage) string {
	var parts []string
	if old.Name != nw.Name {
		parts = append(parts, "renamed the model to "+nw.Name)
	}
	if old.Description != nw.Description {
		parts = append(parts, "changed the description")
	}
	for _, s := range []struct {
		name     string
		old, new float64
	}{
		{"chatty_calls_per_request", old.Chatty, nw.Chatty},
		{"max_sync_chain", float64(old.MaxSyncChain), float64(nw.MaxSyncChain)},
		{"blast_radius", float64(old.BlastRadius), float64(nw.BlastRadius)},
	} {
		if s.old != s.new {
			parts = append(parts, fmt.Sprintf("set %s %s → %s", s.name, formatFloat(s.old), formatFloat(s.new)))
		}
	}
	return strings.Join(parts, "; ")
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// changedFields names the fields among names that differ between two images.
func changedFields(a, b *rowImage, names ...string) []string {
	var out []string
	for _, n := range names {
		var differ bool
		switch n {
		case "kind":
			differ = a.Kind != b.Kind
		case "team":
			differ = a.Team != b.Team
		case "tech":
			differ = a.Tech != b.Tech
		case "description":
			differ = a.Description != b.Description
		case "zone":
			differ = a.Zone != b.Zone
		case "region":
			differ = a.Region != b.Region
		case "protocol":
			differ = a.Protocol != b.Protocol
		case "mode":
			differ = a.Mode != b.Mode
		case "calls_per_request":
			differ = a.Calls != b.Calls
		case "reason":
			differ = a.Reason != b.Reason
		case "owner":
			differ = a.Owner != b.Owner
		case "expires":
			differ = a.Expires != b.Expires
		}
		if differ {
			out = append(out, n)
		}
	}
	return out
}

// summarizeCounts summarises a big change by what it added, removed and
// changed of each kind of entity.
func summarizeCounts(ctx context.Context, tx *Tx, wsID, prev, last int64, n int) (string, error) {
	// CASE, not SUM(condition): PostgreSQL does not add up booleans.
	rows, err := tx.QueryContext(ctx, `SELECT tbl,
		SUM(CASE WHEN old_row IS NULL THEN 1 ELSE 0 END), SUM(CASE WHEN new_row IS NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN old_row IS NOT NULL AND new_row IS NOT NULL THEN 1 ELSE 0 END)
		FROM model_changes WHERE workspace_id = ? AND seq > ? AND seq <= ? GROUP BY tbl`, wsID, prev, last)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	counts := map[string][3]int{}
	for rows.Next() {
		var tbl string
		var c [3]int
		if err := rows.Scan(&tbl, &c[0], &c[1], &c[2]); err != nil {
			return "", err
		}
		counts[tbl] = c
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	var parts []string
	nouns := map[string]string{"services": "services", "servers": "servers", "placements": "placements", "dependencies": "calls", "accepted_risks": "accepted risks"}
	for _, t := range modelTables {
		c := counts[t]
		for i, sign := range []string{"+", "−", "~"} {
			if c[i] > 0 {
				parts = append(parts, fmt.Sprintf("%s%d %s", sign, c[i], nouns[t]))
			}
		}
	}
	if c, ok := counts["workspaces"]; ok && c[2] > 0 {
		parts = append(parts, "name, description or settings")
	}
	return fmt.Sprintf("%d changes: %s", n, strings.Join(parts, ", ")), nil
}
