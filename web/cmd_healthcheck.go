package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

func init() {
	register(&command{name: "healthcheck", summary: "exit 0 when the server at --addr answers /healthz (for container health checks)", run: runHealthcheck})
}

func runHealthcheck(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "healthcheck", "healthcheck [--addr 127.0.0.1:8080]")
	addr := fs.String("addr", "127.0.0.1:8080", "address the server listens on")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	host := *addr
	if strings.HasPrefix(host, ":") {
		host = "127.0.0.1" + host
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+"/healthz", nil)
	if err != nil {
		return usageError("--addr %q: %v", *addr, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &exitError{code: 1, err: fmt.Errorf("/healthz answered %s", resp.Status)}
	}
	fmt.Fprintln(e.stdout, "ok")
	return nil
}
