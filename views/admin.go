package views

import (
	"net/url"
	"strconv"
	"time"
)

// UserRow is one account on the admin users page.
type UserRow struct {
	ID        int64
	Email     string
	Admin     bool
	Disabled  bool
	Pending   bool // invited: no password set yet
	CreatedAt time.Time
	Self      bool   // the admin looking at the page
	Error     string // why the last action on this row was refused
}

// AdminUsersData is the admin users page: the accounts, the form to create
// one, and a one-time link just made (shown this once).
type AdminUsersData struct {
	Users []UserRow
	Form  *Form
	// NewLink is a one-time password link just made for NewLinkEmail;
	// NewLinkReset says it is a reset (else an invitation).
	NewLink      string
	NewLinkEmail string
	NewLinkReset bool
	LinkExpires  time.Time
	Notice       string
}

// AuditRow is one event on the admin audit page.
type AuditRow struct {
	At      time.Time
	Actor   string
	Action  string
	Target  string
	Detail  string
	Address string
}

// UserOption is an account in the audit page's filter.
type UserOption struct {
	ID    int64
	Email string
}

// AdminAuditData is one page of the audit log with its filter.
type AdminAuditData struct {
	Events   []AuditRow
	Total    int
	Offset   int
	PageSize int
	Action   string // filter: "" for every action
	ActorID  int64  // filter: 0 for everyone
	Actions  []string
	Users    []UserOption
}

// PageURL is the address of the page at offset, the filter kept.
func (d *AdminAuditData) PageURL(offset int) string {
	q := url.Values{}
	if d.Action != "" {
		q.Set("action", d.Action)
	}
	if d.ActorID != 0 {
		q.Set("user", strconv.FormatInt(d.ActorID, 10))
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	if len(q) == 0 {
		return "/admin/audit"
	}
	return "/admin/audit?" + q.Encode()
}

// HasNewer and HasOlder say whether there are pages before and after.
func (d *AdminAuditData) HasNewer() bool { return d.Offset > 0 }
func (d *AdminAuditData) HasOlder() bool { return d.Offset+d.PageSize < d.Total }

// PasswordLinkData is the page a one-time link opens: set a password.
type PasswordLinkData struct {
	Email  string
	Invite bool // a new account's first password (else a reset)
	Token  string
	Form   *Form
}

// AccountPasswordData is the password form of the account page.
type AccountPasswordData struct {
	Form   *Form
	Notice string
}
