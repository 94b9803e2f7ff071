package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/risk"
	"github.com/archmap/archmap/topology"
)

// handleAPIFindings answers with the findings JSON of docs/rules/README.md#findings.
// The analysis and its JSON are made once per revision.
func (s *Server) handleAPIFindings(c echo.Context) error {
	ctx := c.Request().Context()
	head, err := s.db.GetWorkspace(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	// All the findings, as DESIGN §3 and `archmap check` give them: a
	// client (CI, a dashboard) must see every one. The body is linear in
	// the model (a 60 000-service model: BENCHMARKS.md), built once per
	// revision however many ask at once, and kept gzip-encoded.
	rev := head.Revision
	b, ok := s.responses.get(findingsKey(workspaceKey(head, rev)))
	if !ok {
		sn, err := s.snapshotOf(ctx, head)
		if err != nil {
			return err
		}
		rev = sn.revision
		if b, err = s.responses.load(findingsKey(sn.key), func() ([]byte, error) { return encodeJSON(sn.report) }); err != nil {
			return err
		}
	}
	setETag(c, rev)
	return writeCached(c, http.StatusOK, echo.MIMEApplicationJSON, b)
}

func findingsKey(snapshotKey string) string { return snapshotKey + ":findings" }

// simulateInput is the body of a simulation: what fails, as
// "server:NAME", "zone:NAME" or "service:NAME".
type simulateInput struct {
	Fail []string `json:"fail"`
}

// maxFailItems bounds one simulation's list; a model has at most a few
// thousand servers and zones worth failing together.
const maxFailItems = 10000

// handleAPISimulate answers with the simulate JSON of docs/cli.md#simulate.
func (s *Server) handleAPISimulate(c echo.Context) error {
	var in simulateInput
	if err := decodeJSON(c, &in, false); err != nil {
		return err
	}
	sn, err := s.workspaceSnapshot(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	sim, err := simulateFailures(sn.model, in.Fail)
	if err != nil {
		return err
	}
	setETag(c, sn.revision)
	return writeJSON(c, http.StatusOK, sim)
}

// simulateFailures fails the named things in m; both the API and share pages use it.
func simulateFailures(m *topology.Model, fail []string) (*risk.Simulation, error) {
	if len(fail) > maxFailItems {
		return nil, topology.Errorf(topology.EINVALID, "fail: at most %d items, got %d", maxFailItems, len(fail))
	}
	return risk.Simulate(m, fail)
}
