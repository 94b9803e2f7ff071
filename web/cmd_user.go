package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/archmap/archmap/auth"
	"github.com/archmap/archmap/store"
)

func init() {
	register(&command{name: "user", summary: "manage accounts: user add --email E [--admin] --password-stdin", run: runUser})
}

func runUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return usageError("usage: archmap user add --db PATH --email EMAIL [--admin] --password-stdin")
	}
	fs := newFlagSet(e, "user add", "user add --db PATH --email EMAIL [--admin] --password-stdin")
	dbf := addDBFlags(fs, "path of the SQLite database file")
	email := fs.String("email", "", "the account's email address (its login name)")
	admin := fs.Bool("admin", false, "make the account an administrator")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (required: passwords never go on the command line)")
	if err := parseFlags(e, fs, args[1:]); err != nil {
		return err
	}
	if *email == "" || !*fromStdin {
		return usageError("user add needs --email and --password-stdin")
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return usageError("no password on standard input")
	}
	password := strings.TrimRight(line, "\r\n")
	if problem := auth.CheckPasswordRules(password); problem != "" {
		return &exitError{code: 2, err: fmt.Errorf("password: %s", problem)}
	}
	// The production cost: the server checks this hash at sign-in.
	hash, err := auth.Hasher{}.Hash(password)
	if err != nil {
		return err
	}
	db, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.CreateUser(ctx, *email, hash, *admin)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	role := "user"
	if u.Admin {
		role = "admin"
	}
	// The audit log holds accounts made on the server too, as made by
	// this command (nobody is signed in to name).
	if err := db.RecordAudit(ctx, store.AuditEvent{Actor: "archmap user add", Action: store.AuditUserCreate, Target: u.Email, Detail: role}); err != nil {
		fmt.Fprintf(e.stderr, "archmap: the account was created, but not recorded in the audit log: %v\n", err)
	}
	fmt.Fprintf(e.stdout, "created %s %s\n", role, u.Email)
	return nil
}
