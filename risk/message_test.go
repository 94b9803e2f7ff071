package risk

import (
	"slices"
	"strings"
	"testing"
)

func findingFor(tb testing.TB, r *Report, rule, subject string) Finding {
	tb.Helper()
	for _, f := range r.Findings {
		if f.Rule == rule && slices.Contains(f.Subjects, subject) {
			return f
		}
	}
	tb.Fatalf("no %s finding about %s in %q", rule, subject, brief(r, ""))
	return Finding{}
}

func TestMessagesStateTheFacts(t *testing.T) {
	m := mustParse(t, `
settings: {max_sync_chain: 2}
services: [{name: orders}, {name: web}, {name: redis, kind: cache}, {name: pay}, {name: fx}, {name: db, kind: database}, {name: lonely}]
servers: [{name: app-1, zone: a}, {name: app-2, zone: a}, {name: app-3, zone: b}, {name: idle}]
placements: [{service: orders, server: app-2, instances: 3}, {service: web, server: app-1}, {service: web, server: app-2},
  {service: redis, server: app-3}, {service: pay, server: app-3, instances: 2}, {service: pay, server: app-1}, {service: fx, server: app-3}]
dependencies: [{from: web, to: redis}, {from: web, to: pay, calls_per_request: 21}, {from: pay, to: fx, protocol: ipc}, {from: fx, to: db},
  {from: orders, to: db}, {from: web, to: orders}]`)
	r := Analyze(m)
	cases := []struct {
		rule, subject string
		message       string
		suggestion    string
	}{
		{RuleSpofServer, "service:orders",
			"orders runs 3 instances, all on app-2: losing app-2 stops it",
			"spread the instances of orders over two or more servers"},
		{RuleSpofInstance, "service:redis",
			"redis (a cache, holding state) runs a single instance, on app-3: losing that instance or app-3 stops it, and web, calling it synchronously, fails with it",
			"run a replica of redis on another server, or move it to a managed service"},
		{RuleSpofZone, "service:web",
			"web runs on 2 servers (app-1 and app-2), all in zone a: losing zone a stops it, though the system spans 2 zones",
			"run web on a server in another zone too"},
		{RuleChattyCrossNetwork, "dependency:web->pay",
			"web calls pay 21 times per request, synchronously and across the network (app-2 does not host pay; threshold 5)",
			"batch these calls or co-locate web and pay"},
		{RuleIPCAcrossServers, "dependency:pay->fx",
			"pay calls fx over IPC, but pay runs on app-1, which does not host fx: IPC does not cross machines",
			"place fx on every server of pay, or call it over the network"},
		{RuleDeepSyncChain, "service:web",
			"a request entering at web can wait on 3 synchronous calls in a row (limit 2): web → pay → fx → db",
			"make calls along the chain asynchronous, cache their results, or merge services that always call each other"},
		{RuleSharedDatastore, "service:db",
			"database db is used directly by 2 services: fx and orders; a schema change or a heavy query of one affects them all",
			"give each service its own database, or let one service own db and serve the others through its API"},
		{RuleUnplacedService, "service:lonely",
			"lonely is not placed on any server, so the model cannot tell where it runs or what a failure takes down",
			"place lonely on the servers it runs on, or make it kind external if someone else runs it"},
		{RuleIdleServer, "server:idle",
			"idle hosts no service",
			"place the services that run on idle, or remove it from the model"},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			f := findingFor(t, r, tc.rule, tc.subject)
			if f.Message != tc.message {
				t.Errorf("message\n got  %q\n want %q", f.Message, tc.message)
			}
			if f.Suggestion != tc.suggestion {
				t.Errorf("suggestion\n got  %q\n want %q", f.Suggestion, tc.suggestion)
			}
		})
	}
}

func TestBlastRadiusMessage(t *testing.T) {
	r := Analyze(mustParse(t, `
services: [{name: db, kind: database}, {name: api}, {name: web}, {name: cron}]
servers: [{name: n1}, {name: n2}]
placements: [{service: db, server: n1}, {service: cron, server: n1}, {service: api, server: n2}, {service: web, server: n2}]
dependencies: [{from: api, to: db}, {from: web, to: api}]`))
	f := findingFor(t, r, RuleServerBlastRadius, "server:n1")
	if want := "losing n1 takes down 4 services (threshold 3): api, cron, db and web"; f.Message != want {
		t.Errorf("message\n got  %q\n want %q", f.Message, want)
	}
	if want := "give cron and db, which run only on n1, instances on other servers, or make the calls into them asynchronous"; f.Suggestion != want {
		t.Errorf("suggestion\n got  %q\n want %q", f.Suggestion, want)
	}
}

func TestSyncCycleMessages(t *testing.T) {
	r := Analyze(mustParse(t, `
services: [{name: a}, {name: b}, {name: self}]
dependencies: [{from: a, to: b}, {from: b, to: a}, {from: self, to: self}]`))
	if got := findingFor(t, r, RuleSyncCycle, "service:a").Message; got != "a and b call one another synchronously in a cycle: a slow or failing one holds up the others, and requests can loop" {
		t.Errorf("cycle message %q", got)
	}
	if got := findingFor(t, r, RuleSyncCycle, "service:self").Message; !strings.HasPrefix(got, "self calls itself synchronously") {
		t.Errorf("self-call message %q", got)
	}
}

// Names reach messages exactly as typed: escaping is the renderers' job, and
// doing it here would double-escape there.
func TestHostileNamesAppearUnchanged(t *testing.T) {
	hostile := []string{`<script>alert(1)</script>`, `a" -> b [label="x`, `back\slash`, `Zürich–Ω 日本`, `&amp; 'single'`}
	var svc, deps []string
	for i, n := range hostile {
		svc = append(svc, "{name: "+yamlQuote(n)+"}")
		if i > 0 {
			deps = append(deps, "{from: "+yamlQuote(hostile[i-1])+", to: "+yamlQuote(n)+", calls_per_request: 50}")
		}
	}
	m := mustParse(t, "services: ["+strings.Join(svc, ", ")+"]\n"+
		"servers: [{name: "+yamlQuote(`srv<1>"\`)+"}, {name: n2}]\n"+
		"placements: [{service: "+yamlQuote(hostile[0])+", server: "+yamlQuote(`srv<1>"\`)+"}, {service: "+yamlQuote(hostile[1])+", server: n2}]\n"+
		"dependencies: ["+strings.Join(deps, ", ")+"]")
	r := Analyze(m)
	f := findingFor(t, r, RuleSpofInstance, ServiceSubject(hostile[0]))
	if want := `<script>alert(1)</script> runs a single instance, on srv<1>"\: losing that instance or srv<1>"\ stops it`; f.Message != want {
		t.Errorf("spof message\n got  %q\n want %q", f.Message, want)
	}
	c := findingFor(t, r, RuleChattyCrossNetwork, DependencySubject(hostile[0], hostile[1]))
	if !strings.HasPrefix(c.Message, hostile[0]+" calls "+hostile[1]+" 50 times") {
		t.Errorf("chatty message %q", c.Message)
	}
	for _, n := range hostile[2:] {
		u := findingFor(t, r, RuleUnplacedService, ServiceSubject(n))
		if !strings.HasPrefix(u.Message, n+" is not placed") {
			t.Errorf("unplaced message %q", u.Message)
		}
	}
}

func yamlQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func TestBySubject(t *testing.T) {
	r := Analyze(mustParse(t, `
services: [{name: a}, {name: b}]
servers: [{name: n1}, {name: n2}]
placements: [{service: a, server: n1}, {service: b, server: n2}]
dependencies: [{from: a, to: b, calls_per_request: 9}, {from: b, to: a}]`))
	idx := r.BySubject()
	var got []string
	for _, f := range idx[ServiceSubject("a")] {
		got = append(got, f.Rule)
	}
	if want := []string{RuleSpofInstance, RuleSyncCycle}; !slices.Equal(got, want) {
		t.Errorf("findings of service a: %q, want %q", got, want)
	}
	if fs := idx[DependencySubject("a", "b")]; len(fs) != 1 || fs[0].Rule != RuleChattyCrossNetwork {
		t.Errorf("findings of a->b: %+v", fs)
	}
	if fs := idx[ServerSubject("n1")]; len(fs) != 0 {
		t.Errorf("findings of n1: %+v", fs)
	}
}

func TestSeverities(t *testing.T) {
	for _, s := range Severities {
		got, err := ParseSeverity(string(s))
		if err != nil || got != s {
			t.Errorf("ParseSeverity(%q) = %q, %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "HIGH", "never", "critical"} {
		if _, err := ParseSeverity(bad); err == nil {
			t.Errorf("ParseSeverity(%q) accepted", bad)
		}
	}
	if !High.AtLeast(Medium) || !Medium.AtLeast(Medium) || Low.AtLeast(Medium) || !Info.AtLeast(Info) || Severity("").AtLeast(Info) {
		t.Error("AtLeast does not follow high > medium > low > info")
	}
}

func TestRulesTableMatchesTheDesign(t *testing.T) {
	want := []string{"spof-instance", "spof-server", "spof-zone", "server-blast-radius", "chatty-cross-network",
		"ipc-across-servers", "sync-cycle", "deep-sync-chain", "shared-datastore", "unplaced-service", "idle-server"}
	var got []string
	for _, r := range Rules() {
		got = append(got, r.ID)
		if r.Summary == "" || r.Help == "" || r.Severity.Rank() == 0 {
			t.Errorf("rule %s lacks a description or severity", r.ID)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("rules %q, want %q", got, want)
	}
}
