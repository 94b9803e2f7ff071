package main

import (
	"context"
	"fmt"

	"github.com/archmap/archmap/diff"
	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

func init() {
	register(&command{name: "diff", summary: "compare two versions of a model: its changes and what they did to the risks", run: runDiff})
}

const diffSynopsis = "diff [--format text|json|markdown|sarif] [--fail-on high|medium|low|info|never] [--from compose|kubernetes] OLD NEW"

// runDiff compares OLD and NEW (model files, or with --from compose files or
// Kubernetes manifests, files or directories; - reads one of them from
// standard input). Exit status 1 when a new finding not accepted is at or
// above --fail-on, 2 on bad input, else 0 — so a pull request that makes
// the system more fragile fails its check. docs/cli.md has the formats.
func runDiff(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "diff", diffSynopsis)
	format := fs.String("format", "text", "output: text, json, markdown or sarif")
	failOn := fs.String("fail-on", "high", "exit 1 when a new finding is at or above this severity: high, medium, low, info or never")
	imp := addImportFlags(fs)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	switch *format {
	case "text", "json", "markdown", "sarif":
	default:
		return usageError("--format %q: want text, json, markdown or sarif", *format)
	}
	threshold, err := parseFailOn(*failOn)
	if err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return usageError("diff takes OLD and NEW: two model files (or - for one of them), or with --from two sets of compose files or Kubernetes manifests")
	}
	oldPath, newPath := fs.Arg(0), fs.Arg(1)
	if oldPath == "-" && newPath == "-" {
		return usageError("only one of OLD and NEW can be - (standard input)")
	}
	oldModel, oldIn, err := imp.loadInput(e, []string{oldPath})
	if err != nil {
		return err
	}
	newModel, newIn, err := imp.loadInput(e, []string{newPath})
	if err != nil {
		return err
	}
	oldReport, newReport := risk.Analyze(oldModel), risk.Analyze(newModel)
	rep := diff.CompareAnalysed(oldModel, oldReport, newModel, newReport)
	switch *format {
	case "json":
		err = writeJSON(e.stdout, rep)
	case "markdown":
		err = rep.WriteMarkdown(e.stdout, oldModel, newModel)
	case "sarif":
		err = writeJSON(e.stdout, diffSARIF(rep,
			sarifInput{oldModel, oldIn, oldReport},
			sarifInput{newModel, newIn, newReport}))
	default:
		err = rep.WriteText(e.stdout)
	}
	if err != nil {
		return err
	}
	if threshold == "" {
		return nil
	}
	if n := rep.FailingNew(threshold); n > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d new finding(s) at or above %s", n, threshold)}
	}
	return nil
}

// parseFailOn reads --fail-on: a severity, or "never" (the empty severity).
func parseFailOn(v string) (risk.Severity, error) {
	if v == "never" {
		return "", nil
	}
	s, err := risk.ParseSeverity(v)
	if err != nil {
		return "", usageError("--fail-on %q: want high, medium, low, info or never", v)
	}
	return s, nil
}

// sarifInput is one side of a diff as SARIF needs it: the model, where it
// was read from (and where its parts are), and its findings.
type sarifInput struct {
	model  *topology.Model
	in     *modelInput
	report *risk.Report
}

// diffSARIF is the SARIF of NEW's findings with a baselineState each
// ("new" or "unchanged"), followed by the resolved findings located in OLD
// ("absent"), so code scanning can tell what the change introduced.
func diffSARIF(rep *diff.Report, oldIn, newIn sarifInput) *sarifLog {
	state := make(map[string]string, len(rep.Findings.New)+len(rep.Findings.Persisting))
	for _, f := range rep.Findings.New {
		state[diff.FindingKey(f)] = "new"
	}
	for _, f := range rep.Findings.Persisting {
		state[diff.FindingKey(f)] = "unchanged"
	}
	// NEW's findings are exactly the new and the persisting ones, in order.
	log := sarifReport(newIn.report, newIn.model, newIn.in)
	run := &log.Runs[0]
	for i := range run.Results {
		res := &run.Results[i]
		res.BaselineState = state[diff.FindingKey(risk.Finding{Rule: res.RuleID, Subjects: res.Properties.Subjects})]
	}
	gone := sarifReport(&risk.Report{Model: rep.Old, Findings: rep.Findings.Resolved}, oldIn.model, oldIn.in)
	for _, res := range gone.Runs[0].Results {
		res.BaselineState = "absent"
		run.Results = append(run.Results, res)
	}
	return log
}
