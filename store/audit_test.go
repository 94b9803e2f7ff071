package store

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestAuditLog: events come back newest first with who, what and where;
// filters by action and actor select only theirs; the page is capped; a
// huge field is clipped to whole runes instead of growing the log.
func TestAuditLog(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	events := []AuditEvent{
		{ActorID: 1, Actor: "alice@example.com", Action: AuditSignIn, Address: "192.0.2.1"},
		{Actor: "", Action: AuditSignInFailed, Target: "bob@example.com", Address: "198.51.100.7"},
		{ActorID: 1, Actor: "alice@example.com", Action: AuditWorkspaceCreate, Target: "shop"},
		{ActorID: 2, Actor: `bob@example.com (API token "ci")`, Action: AuditShareCreate, Target: "shop", Detail: "share 3"},
	}
	for _, e := range events {
		if err := db.RecordAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	all, total, err := db.ListAudit(ctx, AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 4 || len(all) != 4 {
		t.Fatalf("total %d, page %d; want 4, 4", total, len(all))
	}
	if all[0].Action != AuditShareCreate || all[3].Action != AuditSignIn || all[0].At.IsZero() {
		t.Fatalf("not newest first with times: %+v", all)
	}
	if all[2].Target != "bob@example.com" || all[2].Address != "198.51.100.7" || all[2].ActorID != 0 {
		t.Fatalf("failed sign-in stored as %+v", all[2])
	}

	mine, total, err := db.ListAudit(ctx, AuditQuery{ActorID: 1})
	if err != nil || total != 2 || len(mine) != 2 || mine[0].Action != AuditWorkspaceCreate {
		t.Fatalf("actor filter: %+v total %d err %v", mine, total, err)
	}
	failed, total, err := db.ListAudit(ctx, AuditQuery{Action: AuditSignInFailed})
	if err != nil || total != 1 || len(failed) != 1 {
		t.Fatalf("action filter: %+v total %d err %v", failed, total, err)
	}
	page, total, err := db.ListAudit(ctx, AuditQuery{Limit: 1, Offset: 1})
	if err != nil || total != 4 || len(page) != 1 || page[0].Action != AuditWorkspaceCreate {
		t.Fatalf("paging: %+v total %d err %v", page, total, err)
	}

	long := strings.Repeat("é", 1000) // 2 000 bytes, cut in the middle of a rune
	if err := db.RecordAudit(ctx, AuditEvent{Action: AuditSignInFailed, Target: long}); err != nil {
		t.Fatal(err)
	}
	got, _, err := db.ListAudit(ctx, AuditQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got[0].Target); n > maxAuditField || n < maxAuditField-1 || !utf8.ValidString(got[0].Target) {
		t.Fatalf("long target kept %d bytes (valid UTF-8: %v)", n, utf8.ValidString(got[0].Target))
	}
}
