package main

import (
	"context"
	"fmt"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
)

func init() {
	register(&command{name: "token", summary: "API tokens: token create --email E [--name NAME] [--read-only] prints a new token", run: runToken})
}

const tokenSynopsis = "token create --db PATH --email EMAIL [--name NAME] [--read-only]"

// runToken makes an API token for an account, for headless setups that
// script the API from the start. The token is printed as the last line and
// stored nowhere: only its hash goes into the database.
func runToken(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError("usage: archmap %s", tokenSynopsis)
	}
	fs := newFlagSet(e, "token create", tokenSynopsis)
	dbf := addDBFlags(fs, "path of the SQLite database file")
	email := fs.String("email", "", "the account the token acts for")
	name := fs.String("name", "command line", "what the token is for, shown on the account page")
	readOnly := fs.Bool("read-only", false, "the token may only read (GET, and simulate), whatever the account's roles")
	if err := parseFlags(e, fs, args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return usageError("token create needs --email")
	}
	if fs.NArg() > 0 {
		return usageError("token create takes no arguments, got %q", fs.Args())
	}
	db, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.GetUserByEmail(ctx, *email)
	if err != nil {
		if topology.ErrorCode(err) == topology.ENOTFOUND {
			return &exitError{code: 2, err: fmt.Errorf("no account with the email %q; create it with \"archmap user add\"", *email)}
		}
		return err
	}
	token, hash, err := auth.NewSecret()
	if err != nil {
		return err
	}
	t, err := db.CreateAPIToken(ctx, u.ID, *name, hash, store.ReadOnlyToken(*readOnly))
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	kind := "API token"
	if t.ReadOnly {
		kind = "read-only API token"
	}
	fmt.Fprintf(e.stderr, "created %s %q for %s; it is shown only now:\n", kind, t.Name, u.Email)
	fmt.Fprintln(e.stdout, token)
	return nil
}
