package views

import (
	"context"

	"github.com/archmap/archmap/access"
)

type roleCtxKey struct{}

// WithRole returns a context whose components render for a member with
// that role: what the role may not do is left out of the page (the server
// refuses it anyway; access.Role.Can is the rule for both).
func WithRole(ctx context.Context, r access.Role) context.Context {
	return context.WithValue(ctx, roleCtxKey{}, r)
}

// can reports whether the page's reader may take the action. Pages rendered
// outside a workspace guard (none set) show everything, as before roles.
func can(ctx context.Context, a access.Action) bool {
	r, ok := ctx.Value(roleCtxKey{}).(access.Role)
	return !ok || r.Can(a)
}
