package server

import (
	"net/http"
	"testing"

	"github.com/archmap/archmap/store"
)

// A workspace has at most store.MaxLiveShares working links; the next one
// is refused with a message that says the bound and the way out.
func TestShareLinksPerWorkspaceAreBounded(t *testing.T) {
	f := newAPIFixture(t)
	slug := importModel(t, f.db, "shop", shopModel())
	var first shareCreated
	for i := range store.MaxLiveShares {
		_, out := f.createShare(t, slug, `{"pin": true}`)
		if i == 0 {
			first = out
		}
	}
	f.api(t, "POST", "/workspaces/"+slug+"/shares", `{}`).wantError(t, http.StatusConflict, "100 working share links", "Revoke one")
	f.api(t, "DELETE", "/workspaces/"+slug+"/shares/"+itoa(first.ID), nil).want(t, http.StatusNoContent)
	f.createShare(t, slug, `{}`)
}
