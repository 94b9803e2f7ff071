# archmap's front door. `make run` and `make test` are all a new machine needs.
GO      ?= go
BIN     ?= bin/archmap
DB      ?= archmap.db
ADDR    ?= 127.0.0.1:8080
PKGS    := ./...

# golangci-lint is pinned here and installed by `make lint` itself into
# ./bin, under a name that carries the version, so changing the version
# installs the new one and nothing on the machine's PATH is used.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT         := bin/golangci-lint-$(GOLANGCI_LINT_VERSION)

.PHONY: run build test test-short generate check-generated lint bench bench-browser fuzz crashtest loadtest scaletest clustertest walk clean

run: build
	$(BIN) serve --addr $(ADDR) --db $(DB)

build: generate
	$(GO) build -o $(BIN) ./web

# Regenerates views/*_templ.go with the templ version pinned in go.mod.
generate:
	$(GO) tool templ generate -path views

# Fails when a committed *_templ.go is not what its .templ generates, without
# touching the work tree.
check-generated:
	@tmp=$$(mktemp -d) && cp -r views $$tmp/views && \
	$(GO) tool templ generate -path $$tmp/views >/dev/null 2>&1 && \
	if ! diff -r -q views $$tmp/views; then \
		echo "views/*_templ.go are stale: run 'make generate' and commit them"; rm -rf $$tmp; exit 1; \
	fi; rm -rf $$tmp

# With ARCHMAP_TEST_DATABASE_URL=postgres://… (an empty database; .ci/run
# starts one with .ci/with-postgres) the store's suite runs a second time on
# PostgreSQL, as do the crash suite and the server's end-to-end test; unset,
# they say they are skipped — and fail under CI=true.
test: check-generated lint
	$(GO) test -race -count=1 -timeout 15m $(PKGS)

# The quick loop: no race detector, no Chromium browser tests, no crash
# rounds or slow renders (every test that checks testing.Short()).
test-short:
	$(GO) test -count=1 -short $(PKGS)

# go vet, gofmt and golangci-lint with .golangci.yml (staticcheck, unused,
# errcheck, gocritic, misspell, sqlclosecheck, ...). The first run installs
# the linter (a few minutes); later runs use its cache.
lint: $(GOLANGCI_LINT)
	$(GO) vet $(PKGS)
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './node_modules/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GOLANGCI_LINT) run $(PKGS)

$(GOLANGCI_LINT):
	@mkdir -p bin
	GOBIN=$(CURDIR)/bin/.golangci-lint-install $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv bin/.golangci-lint-install/golangci-lint $@
	rm -rf bin/.golangci-lint-install

# Benchmarks: analysis, rendering (cold and cached, against native dot when
# installed), store import/load, codec. Figures go in BENCHMARKS.md.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 -timeout 60m ./topology/... ./risk/... ./store/... ./diagram/...

# The diagram tab's time to interactive in Chromium at 50, 100, 300 and
# 1 000 services, the layout cached (about a minute; not in make test).
bench-browser:
	$(GO) test -run '^$$' -bench BrowserTimeToInteractive -benchtime 5x -timeout 20m ./server

# 60 s per fuzz target; failures are kept in testdata/fuzz as regression cases.
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./topology
	$(GO) test -run '^$$' -fuzz '^FuzzEscape$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./diagram
	$(GO) test -run '^$$' -fuzz '^FuzzCompose$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./importer
	$(GO) test -run '^$$' -fuzz '^FuzzKubernetes$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./importer

# Kills the server (SIGKILL) at random moments while clients write, round
# after round; every acknowledged write must survive and the database must
# pass integrity_check. make test runs 3 rounds. With ARCHMAP_TEST_DATABASE_URL
# the same rounds run against PostgreSQL too. Replay a failed run with
# the ARCHMAP_CRASH_SEED it logs.
CRASH_ROUNDS ?= 25
crashtest:
	ARCHMAP_CRASH_ROUNDS=$(CRASH_ROUNDS) $(GO) test -count=1 -timeout 30m -run '^TestCrashSafety(Postgres)?$$' -v ./web

# 200 clients for 30 s on share pages, diagrams and findings while 8 writers
# edit through the API, against a child server on 127.0.0.1 only; prints
# throughput and latency per route. ARCHMAP_LOADTEST_PROFILE=DIR runs the
# server in-process and writes DIR/cpu.pprof. DATABASE_URL=postgres://…
# (an empty database) runs the server on it instead of a new SQLite file.
DATABASE_URL ?=
loadtest:
	ARCHMAP_LOADTEST=1 ARCHMAP_LOADTEST_DATABASE_URL=$(DATABASE_URL) $(GO) test -count=1 -timeout 20m -run '^(TestLoad|TestRenderUnderPressure)$$' -v ./web

# A 10 000-service, 20 000-dependency model through the real binary: check,
# import, load, analysis, paginated lists, whole-system and focus diagrams;
# prints the timings and the server's memory.
scaletest:
	ARCHMAP_SCALETEST=1 $(GO) test -count=1 -timeout 30m -run '^TestScale$$' -v ./web

# Two archmap serve processes on one database (a SQLite file; PostgreSQL
# when ARCHMAP_TEST_DATABASE_URL is set): 8 writers split across them for
# 30 s lose no acknowledged write, and a share link or token revoked on one
# node is refused by the other at its next request. make test runs 3 s.
CLUSTER_DURATION ?= 30s
clustertest:
	ARCHMAP_CLUSTERTEST_DURATION=$(CLUSTER_DURATION) $(GO) test -count=1 -timeout 10m -run '^TestTwoNodes$$' -v ./web

# The six modelling tasks of issue 15 done in Chromium the quickest way the
# editor allows; logs the clicks, typed fields and round trips it took
# (figures in BENCHMARKS.md). Needs Chromium (CHROME_PATH or chromium).
walk:
	$(GO) test -count=1 -run '^TestBrowserModellingWalk$$' -v ./server

clean:
	rm -rf bin
