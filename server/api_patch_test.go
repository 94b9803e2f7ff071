package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

const mergePatch = "application/merge-patch+json"

func serviceNamed(tb testing.TB, f *apiFixture, slug, name string) store.ServiceRecord {
	tb.Helper()
	var list listBody[store.ServiceRecord]
	f.api(tb, "GET", "/workspaces/"+slug+"/services", nil).want(tb, http.StatusOK).decode(tb, &list)
	for _, s := range list.Items {
		if s.Name == name {
			return s
		}
	}
	tb.Fatalf("no service %q", name)
	return store.ServiceRecord{}
}

// PATCH of one field leaves every other field as it was, on each kind of
// entity.
func TestAPIPatchChangesOnlyTheFieldsNamed(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	base := "/workspaces/" + slug
	web := serviceNamed(t, f, slug, "web")
	path := base + "/services/" + strconv.FormatInt(web.ID, 10)
	f.api(t, "PUT", path, `{"name": "web", "kind": "frontend", "team": "storefront", "tech": "go", "description": "the shop"}`).want(t, http.StatusOK)

	r := f.api(t, "PATCH", path, `{"team": "payments"}`, "Content-Type", mergePatch).want(t, http.StatusOK)
	var got store.ServiceRecord
	r.decode(t, &got)
	want := store.ServiceRecord{ID: web.ID, Service: topology.Service{Name: "web", Kind: topology.KindFrontend, Team: "payments", Tech: "go", Description: "the shop"}}
	if got != want {
		t.Errorf("after PATCH team: %+v, want %+v", got, want)
	}
	f.api(t, "GET", path, nil).want(t, http.StatusOK).decode(t, &got)
	if got != want {
		t.Errorf("stored after PATCH team: %+v, want %+v", got, want)
	}
	// application/json is taken as a merge patch too; null is "back to the
	// default".
	got = store.ServiceRecord{}
	f.api(t, "PATCH", path, `{"kind": null, "description": null}`).want(t, http.StatusOK).decode(t, &got)
	if got.Kind != topology.KindService || got.Description != "" || got.Team != "payments" || got.Tech != "go" {
		t.Errorf("after PATCH of nulls: %+v", got)
	}

	var servers listBody[store.ServerRecord]
	f.api(t, "GET", base+"/servers", nil).want(t, http.StatusOK).decode(t, &servers)
	srv := servers.Items[0]
	var gotSrv store.ServerRecord
	f.api(t, "PATCH", base+"/servers/"+strconv.FormatInt(srv.ID, 10), `{"region": "eu-west"}`, "Content-Type", mergePatch).want(t, http.StatusOK).decode(t, &gotSrv)
	srv.Region = "eu-west"
	if gotSrv != srv {
		t.Errorf("server after PATCH region: %+v, want %+v", gotSrv, srv)
	}

	var pls listBody[store.PlacementRecord]
	f.api(t, "GET", base+"/placements", nil).want(t, http.StatusOK).decode(t, &pls)
	pl := pls.Items[0]
	var gotPl store.PlacementRecord
	f.api(t, "PATCH", base+"/placements/"+strconv.FormatInt(pl.ID, 10), `{"instances": 5}`, "Content-Type", mergePatch).want(t, http.StatusOK).decode(t, &gotPl)
	pl.Instances = 5
	if gotPl != pl {
		t.Errorf("placement after PATCH instances: %+v, want %+v", gotPl, pl)
	}

	var deps listBody[store.DependencyRecord]
	f.api(t, "GET", base+"/dependencies", nil).want(t, http.StatusOK).decode(t, &deps)
	dep := deps.Items[0]
	var gotDep store.DependencyRecord
	f.api(t, "PATCH", base+"/dependencies/"+strconv.FormatInt(dep.ID, 10), `{"calls_per_request": 7}`, "Content-Type", mergePatch).want(t, http.StatusOK).decode(t, &gotDep)
	dep.CallsPerRequest = 7
	if gotDep != dep {
		t.Errorf("dependency after PATCH calls_per_request: %+v, want %+v", gotDep, dep)
	}
}

// Two clients changing different fields of one entity: with PATCH neither
// change is lost; with PUT and no If-Match the last write wins, as the API
// documents.
func TestAPIPatchLosesNoUpdateWherePutWithoutIfMatchDoes(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	cart := serviceNamed(t, f, slug, "cart")
	path := "/workspaces/" + slug + "/services/" + strconv.FormatInt(cart.ID, 10)

	stale := cart // Bob's copy, read before Alice's change
	f.api(t, "PATCH", path, `{"team": "alice-team"}`, "Content-Type", mergePatch).want(t, http.StatusOK)
	f.api(t, "PATCH", path, `{"tech": "bob-tech"}`, "Content-Type", mergePatch).want(t, http.StatusOK)
	var got store.ServiceRecord
	f.api(t, "GET", path, nil).want(t, http.StatusOK).decode(t, &got)
	if got.Team != "alice-team" || got.Tech != "bob-tech" {
		t.Errorf("after two PATCHes: team %q tech %q, want both changes", got.Team, got.Tech)
	}

	stale.Tech = "bob-put"
	body, _ := json.Marshal(stale)
	f.api(t, "PUT", path, body).want(t, http.StatusOK)
	f.api(t, "GET", path, nil).want(t, http.StatusOK).decode(t, &got)
	if got.Team != cart.Team || got.Tech != "bob-put" {
		t.Errorf("PUT without If-Match: team %q tech %q; the documented last-write-wins replaces Alice's team with the stale %q", got.Team, got.Tech, cart.Team)
	}
}

func TestAPIPatchRefusals(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	cart := serviceNamed(t, f, slug, "cart")
	path := "/workspaces/" + slug + "/services/" + strconv.FormatInt(cart.ID, 10)
	rev := f.api(t, "GET", path, nil).want(t, http.StatusOK).etag(t)

	f.api(t, "PATCH", path, `{"team": "x"}`, "Content-Type", mergePatch, "If-Match", etag(rev+1)).wantError(t, http.StatusPreconditionFailed)
	f.api(t, "PATCH", path, `{"team": "x"}`, "Content-Type", "text/plain").wantError(t, http.StatusUnsupportedMediaType, mergePatch)
	f.api(t, "PATCH", path, `{"colour": "red"}`, "Content-Type", mergePatch).wantError(t, http.StatusBadRequest, "colour")
	f.api(t, "PATCH", path, `["team"]`, "Content-Type", mergePatch).wantError(t, http.StatusBadRequest, "JSON object")
	f.api(t, "PATCH", path, `{"id": 999}`, "Content-Type", mergePatch).wantError(t, http.StatusBadRequest, "ids cannot be changed")
	f.api(t, "PATCH", path, `{"name": "WEB"}`, "Content-Type", mergePatch).wantError(t, http.StatusConflict, `looks the same as "web"`)
	f.api(t, "PATCH", path, `{"name": "c\u202eart"}`, "Content-Type", mergePatch).wantError(t, http.StatusBadRequest, "name", "U+202E")
	var pls listBody[store.PlacementRecord]
	f.api(t, "GET", "/workspaces/"+slug+"/placements", nil).want(t, http.StatusOK).decode(t, &pls)
	plPath := "/workspaces/" + slug + "/placements/" + strconv.FormatInt(pls.Items[0].ID, 10)
	f.api(t, "PATCH", plPath, `{"instances": 0}`, "Content-Type", mergePatch).wantError(t, http.StatusBadRequest, "from 1 to 1000000")
	f.api(t, "PATCH", plPath, `{"instances": 9223372036854775807}`, "Content-Type", mergePatch).wantError(t, http.StatusBadRequest, "from 1 to 1000000")
	f.api(t, "PATCH", "/workspaces/"+slug+"/services/99999", `{"team": "x"}`, "Content-Type", mergePatch).wantError(t, http.StatusNotFound)
	// Nothing above changed the workspace.
	if now := f.api(t, "GET", path, nil).want(t, http.StatusOK).etag(t); now != rev {
		t.Errorf("refused patches moved the revision from %d to %d", rev, now)
	}
	// With the current revision it applies.
	f.api(t, "PATCH", path, `{"team": "x"}`, "Content-Type", mergePatch, "If-Match", etag(rev)).want(t, http.StatusOK)
}

// The model's own fields (name, description, settings) are patched on
// /model; entities keep their ids.
func TestAPIPatchModelSettings(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	before := serviceNamed(t, f, slug, "cart")
	r := f.api(t, "PATCH", "/workspaces/"+slug+"/model", `{"settings": {"max_sync_chain": 9}, "description": "patched"}`, "Content-Type", mergePatch).want(t, http.StatusOK)
	rev := r.etag(t)
	var m topology.Model
	f.api(t, "GET", "/workspaces/"+slug+"/model", nil).want(t, http.StatusOK).decode(t, &m)
	want := shopModel()
	if m.Name != want.Name || m.Description != "patched" || m.Settings.MaxSyncChain != 9 ||
		m.Settings.BlastRadius != topology.DefaultSettings().BlastRadius || len(m.Services) != len(want.Services) || len(m.Dependencies) != len(want.Dependencies) {
		t.Errorf("model after PATCH: %+v", m)
	}
	if after := serviceNamed(t, f, slug, "cart"); after.ID != before.ID {
		t.Errorf("cart's id changed from %d to %d", before.ID, after.ID)
	}
	f.api(t, "PATCH", "/workspaces/"+slug+"/model", `{"settings": {"blast_radius": 0}}`, "Content-Type", mergePatch).wantError(t, http.StatusBadRequest, "settings.blast_radius")
	f.api(t, "PATCH", "/workspaces/"+slug+"/model", `{"name": "x"}`, "Content-Type", mergePatch, "If-Match", etag(rev+1)).wantError(t, http.StatusPreconditionFailed)
	f.api(t, "PATCH", "/workspaces/"+slug+"/model", `{"services": [{"name": "a"}, {"name": "A"}]}`, "Content-Type", mergePatch).wantError(t, http.StatusBadRequest, "looks the same")
}

// The served API document says what a PUT without If-Match does and
// offers PATCH on every entity and the model.
func TestOpenAPISaysPutIsLastWriteWins(t *testing.T) {
	f := newAPIFixture(t)
	body := string(request(t, f.testServer, "GET", "/api/v1/openapi.json", nil).want(t, http.StatusOK).body)
	for _, want := range []string{"PUT without `If-Match` is last-write-wins", "application/merge-patch+json", "RFC 7396", `"patchService"`, `"patchModel"`} {
		if !strings.Contains(body, want) {
			t.Errorf("openapi.json does not say %q", want)
		}
	}
}
