package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/archmap/archmap/topology"
)

// TestAcceptedRisksRoundTrip: acceptances are stored with the model, in
// their order, survive a replace and an import, and a model without any
// reads back with none (nil, as it was parsed).
func TestAcceptedRisksRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")

	in := sampleModel()
	in.AcceptedRisks = []topology.AcceptedRisk{
		{Rule: "sync-cycle", Subjects: []string{"service:b", "service:a"}, Reason: "known\nand <fine>", Owner: "platform", Expires: "2027-03-31"},
		{Rule: "idle-server", Subjects: []string{"server:gone"}, Reason: "stale but valid"},
	}
	if _, err := db.ReplaceModel(ctx, ws.Slug, in, ws.Revision); err != nil {
		t.Fatal(err)
	}
	got, _, err := db.LoadModel(ctx, ws.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.AcceptedRisks, in.AcceptedRisks) {
		t.Errorf("acceptances read back as %+v, want %+v", got.AcceptedRisks, in.AcceptedRisks)
	}

	in.AcceptedRisks = in.AcceptedRisks[1:]
	if _, _, err := db.ImportModel(ctx, ws.Slug, in); err != nil {
		t.Fatal(err)
	}
	if got, _, _ = db.LoadModel(ctx, ws.Slug); !reflect.DeepEqual(got.AcceptedRisks, in.AcceptedRisks) {
		t.Errorf("after import: %+v, want %+v", got.AcceptedRisks, in.AcceptedRisks)
	}

	in.AcceptedRisks = nil
	if _, _, err := db.ImportModel(ctx, ws.Slug, in); err != nil {
		t.Fatal(err)
	}
	if got, _, _ = db.LoadModel(ctx, ws.Slug); got.AcceptedRisks != nil {
		t.Errorf("after removing them all: %+v", got.AcceptedRisks)
	}
}

// TestAcceptRiskAndWithdraw: accepting adds or replaces (same finding,
// subjects in any order), each is a revision, an invalid one or a stale
// revision stores nothing, withdrawing an unknown one is ENOTFOUND.
func TestAcceptRiskAndWithdraw(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")

	a := topology.AcceptedRisk{Rule: "sync-cycle", Subjects: []string{"service:a", "service:b"}, Reason: "first"}
	up, err := db.AcceptRisk(ctx, ws.Slug, a, ws.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if up.Revision != ws.Revision+1 {
		t.Errorf("revision %d, want %d", up.Revision, ws.Revision+1)
	}
	a2 := topology.AcceptedRisk{Rule: "sync-cycle", Subjects: []string{"service:b", "service:a"}, Reason: "second", Owner: "sre"}
	if up, err = db.AcceptRisk(ctx, ws.Slug, a2, 0); err != nil {
		t.Fatal(err)
	}
	m, _, _ := db.LoadModel(ctx, ws.Slug)
	if len(m.AcceptedRisks) != 1 || m.AcceptedRisks[0].Reason != "second" {
		t.Fatalf("after accepting the same finding again: %+v", m.AcceptedRisks)
	}

	_, err = db.AcceptRisk(ctx, ws.Slug, topology.AcceptedRisk{Rule: "no-such-rule", Subjects: []string{"service:a"}, Reason: "x"}, 0)
	wantCode(t, err, topology.EINVALID)
	_, err = db.AcceptRisk(ctx, ws.Slug, topology.AcceptedRisk{Rule: "spof-instance", Subjects: []string{"service:a"}}, 0)
	wantCode(t, err, topology.EINVALID)
	_, err = db.AcceptRisk(ctx, ws.Slug, topology.AcceptedRisk{Rule: "spof-instance", Subjects: []string{"service:a"}, Reason: "x"}, up.Revision-1)
	wantCode(t, err, topology.EPRECONDITION)

	_, err = db.WithdrawAcceptance(ctx, ws.Slug, "spof-instance", []string{"service:a"}, 0)
	wantCode(t, err, topology.ENOTFOUND)
	if _, err = db.WithdrawAcceptance(ctx, ws.Slug, "sync-cycle", []string{"service:b", "service:a"}, up.Revision); err != nil {
		t.Fatal(err)
	}
	if m, _, _ = db.LoadModel(ctx, ws.Slug); m.AcceptedRisks != nil {
		t.Errorf("after withdrawing: %+v", m.AcceptedRisks)
	}
}

// TestAcceptedRisksHistory: accepting and withdrawing are revisions of the
// history with a summary that says so; an old revision rebuilds with the
// acceptances it had; a replace that keeps them records no change of them.
func TestAcceptedRisksHistory(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	ws := mustCreateWorkspace(t, db, "w")
	a := topology.AcceptedRisk{Rule: "sync-cycle", Subjects: []string{"service:b", "service:a"}, Reason: "known", Owner: "sre"}
	if _, err := db.AcceptRisk(ctx, ws.Slug, a, 0); err != nil {
		t.Fatal(err)
	}
	a.Reason = "known, and measured"
	if _, err := db.AcceptRisk(ctx, ws.Slug, a, 0); err != nil {
		t.Fatal(err)
	}
	m, _, _ := db.LoadModel(ctx, ws.Slug)
	if _, err := db.ReplaceModel(ctx, ws.Slug, m, 0); err != nil {
		t.Fatal(err)
	}
	up, err := db.WithdrawAcceptance(ctx, ws.Slug, a.Rule, a.Subjects, 0)
	if err != nil {
		t.Fatal(err)
	}
	revs, _, err := db.ListRevisions(ctx, ws.Slug, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"withdrew the acceptance of sync-cycle of service:b, service:a",
		"no change",
		"changed the acceptance of sync-cycle of service:b, service:a (reason)",
		"accepted sync-cycle of service:b, service:a",
	}
	for i, w := range want {
		if i >= len(revs) || revs[i].Summary != w {
			t.Errorf("revision summaries %+v, want %q first", revs, want)
			break
		}
	}
	old, _, err := db.ModelAt(ctx, ws.Slug, up.Revision-2)
	if err != nil {
		t.Fatal(err)
	}
	if len(old.AcceptedRisks) != 1 || old.AcceptedRisks[0].Reason != "known, and measured" || !reflect.DeepEqual(old.AcceptedRisks[0].Subjects, a.Subjects) {
		t.Errorf("model at revision %d: %+v", up.Revision-2, old.AcceptedRisks)
	}
	if first, _, _ := db.ModelAt(ctx, ws.Slug, ws.Revision); first.AcceptedRisks != nil {
		t.Errorf("the first revision has acceptances: %+v", first.AcceptedRisks)
	}
}
