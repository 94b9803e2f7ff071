// Package access says who may do what in a workspace: the roles of its
// members and the actions each role allows. It is the one home of that
// rule: the server's route guards and the pages that hide what a user
// cannot do both ask Role.Can, so the two never disagree.
package access

// Role is a member's standing in one workspace.
type Role string

// The roles, from most to least allowed. Instance admins act as Owner in
// every workspace.
const (
	Owner  Role = "owner"  // everything: the model, share links, members, deletion
	Editor Role = "editor" // the model, its settings and share links
	Viewer Role = "viewer" // read, export, simulate
)

// Roles lists the roles from most to least allowed, as forms offer them.
var Roles = []Role{Owner, Editor, Viewer}

// Action is a kind of thing a request does to a workspace.
type Action int

// The actions, each allowed to a role and every role above it.
const (
	// Read: see the model, its diagram, findings and history; export it;
	// simulate failures (a simulation stores nothing).
	Read Action = iota + 1
	// Edit: change the model and its entities, settings and thresholds,
	// accept risks, import, restore a revision.
	Edit
	// Share: list, create and revoke share links (a link hands the model
	// to people outside the workspace, so a viewer may not).
	Share
	// Manage: the members and their roles; deleting the workspace.
	Manage
)

// rank orders the roles; 0 is no role at all.
func (r Role) rank() int {
	switch r {
	case Owner:
		return 3
	case Editor:
		return 2
	case Viewer:
		return 1
	}
	return 0
}

// least is the lowest rank that may take an action.
func (a Action) least() int {
	switch a {
	case Read:
		return 1
	case Edit, Share:
		return 2
	case Manage:
		return 3
	}
	return 4 // an unknown action is allowed to nobody
}

// Can reports whether the role allows the action. The zero Role (not a
// member) allows nothing.
func (r Role) Can(a Action) bool { return r.rank() > 0 && r.rank() >= a.least() }

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// ParseRole returns the role named s ("owner", "editor", "viewer").
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	return r, r.Valid()
}

// String names the action, for messages and logs.
func (a Action) String() string {
	switch a {
	case Read:
		return "read"
	case Edit:
		return "edit"
	case Share:
		return "share"
	case Manage:
		return "manage"
	}
	return "unknown"
}
