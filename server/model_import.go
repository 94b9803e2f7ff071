package server

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/archmap/archmap/importer"
	"github.com/archmap/archmap/store"
	"github.com/archmap/archmap/topology"
	"github.com/archmap/archmap/views"
)

// handleModelImportShow is the import & export tab; ?too_large=1 is where
// an upload over the body bound lands (see importTooLarge).
func (s *Server) handleModelImportShow(c echo.Context) error {
	ws, err := s.db.GetWorkspace(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	var res *views.ImportResult
	if c.QueryParam("too_large") != "" {
		res = &views.ImportResult{Problems: []string{tooLargeMessage}}
	}
	return s.renderImport(c, http.StatusOK, ws, &views.Form{}, res)
}

const tooLargeMessage = "The upload is larger than 5 MiB in all. Choose fewer or smaller files (a model file, or the compose or Kubernetes files it needs)."

// importTooLarge answers a plain (not htmx) import form whose body the
// global bound refused before any handler ran, and so before the session
// and the workspace were known: rather than an error page, it sends the
// browser back to the import tab, which says what happened in place. The
// body is drained first (bounded), since a browser still sending it may
// not read an early answer. htmx uploads get the flash region instead.
func importTooLarge(c echo.Context, status int) bool {
	r := c.Request()
	if status != http.StatusRequestEntityTooLarge || r.Method != http.MethodPost || isHTMX(c) || c.Path() != "/w/:slug/import" {
		return false
	}
	_, _ = io.CopyN(io.Discard, r.Body, 64<<20)
	return c.Redirect(http.StatusSeeOther, views.WorkspaceURL(c.Param("slug"), "import")+"?too_large=1") == nil
}

// handleModelImport replaces the workspace's model by an uploaded or pasted
// model file, compose files or Kubernetes manifests, whose format is detected
// from the content unless the user chose one. Any problem is listed on the
// page, with what was detected and the importer's report when it explains
// the problem, and nothing changes. The workspace keeps its name unless the
// user asked to take the file's.
//
// The form posts through htmx and gets only the result region back, so a
// chosen file stays chosen after an error; without JavaScript it gets the
// whole page.
func (s *Server) handleModelImport(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	ws, err := s.db.GetWorkspace(ctx, slug)
	if err != nil {
		return err
	}
	f := newForm(c, "format", "text", "take_name")
	f.Values["text"] = c.FormValue("text") // keep the pasted text exactly
	res := &views.ImportResult{FilesKept: isHTMX(c)}
	failed := func(status int, problems ...string) error {
		res.Problems = problems
		return s.renderImport(c, status, ws, f, res)
	}
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	files, err := importFiles(c)
	if err != nil {
		if status, problems, ok := importProblems(err); ok {
			return failed(status, problems...)
		}
		return err
	}
	det := importer.Detect(files)
	res.Detected = det.Format.Label()
	res.Evidence = det.Evidence
	format := importer.Format(f.Values["format"])
	switch format {
	case "", "auto":
		if det.Format == importer.FormatUnknown {
			return failed(http.StatusUnprocessableEntity, "The format could not be detected: "+det.Problem+".")
		}
		format = det.Format
		res.Auto = true
	case importer.FormatModel, importer.FormatCompose, importer.FormatKubernetes:
		// A mismatch is explained in terms of what the files are, rather
		// than by the chosen parser's complaint about them.
		if det.Format != importer.FormatUnknown && det.Format != format {
			return failed(http.StatusUnprocessableEntity, fmt.Sprintf(
				"You chose %s, but this looks like %s (%s). Choose “Automatic” or “%s” and import again.",
				format.Label(), det.Format.Label(), det.Evidence, formatChoice(det.Format)))
		}
	default:
		return failed(http.StatusUnprocessableEntity, "Choose a format: automatic, archmap model, Docker Compose or Kubernetes.")
	}
	takeName := f.Values["take_name"] != ""
	name := ws.Name
	if takeName {
		name = "" // each importer's own default: the project, the namespace
	}
	var (
		m *topology.Model
		r *importer.Report
	)
	switch format {
	case importer.FormatModel:
		if len(files) != 1 {
			return failed(http.StatusUnprocessableEntity, "Upload one model file or paste one model.")
		}
		if m, err = topology.Parse(files[0].Data); err == nil && !takeName {
			m.Name = ws.Name
		}
	case importer.FormatCompose:
		m, r, err = importer.Compose(files, importer.ComposeOptions{Name: name})
	case importer.FormatKubernetes:
		m, r, err = importer.Kubernetes(files, importer.KubeOptions{Name: name})
	}
	res.Report = importReport(r)
	if err == nil {
		_, err = s.db.ReplaceModel(ctx, slug, m, rev)
	}
	if err != nil {
		if topology.ErrorCode(err) == topology.EPRECONDITION {
			return failed(http.StatusConflict, staleMessage)
		}
		if status, problems, ok := importProblems(err); ok {
			if takeName && topology.ErrorCode(err) == topology.ECONFLICT {
				problems = append(problems, "Untick “take the name from the file” to keep this workspace's name.")
			}
			return failed(status, problems...)
		}
		return err
	}
	if ws, err = s.db.GetWorkspace(ctx, slug); err != nil {
		return err
	}
	res.Done = true
	if res.Report == nil {
		res.Report = &views.ImportReport{}
	}
	return s.renderImport(c, http.StatusOK, ws, &views.Form{Values: map[string]string{"format": f.Values["format"]}}, res)
}

// formatChoice is the label of a format's radio button.
func formatChoice(f importer.Format) string {
	for _, fm := range views.ImportFormats {
		if fm[0] == string(f) {
			return fm[1]
		}
	}
	return string(f)
}

// importFiles returns the uploaded files, or the pasted text as one file,
// bounded in total by topology.MaxInputSize.
func importFiles(c echo.Context) ([]importer.File, error) {
	var files []importer.File
	total := 0
	if mf, err := c.MultipartForm(); err == nil && mf != nil {
		for _, fh := range mf.File["files"] {
			data, err := readUpload(fh, topology.MaxInputSize-total)
			if err != nil {
				return nil, err
			}
			if len(data) == 0 {
				continue // an empty file input sends an empty part
			}
			total += len(data)
			files = append(files, importer.File{Name: fh.Filename, Data: data})
		}
	}
	if text := c.FormValue("text"); text != "" {
		if len(files) > 0 {
			return nil, topology.Errorf(topology.EINVALID, "Upload files or paste text, not both.")
		}
		if len(text) > topology.MaxInputSize {
			return nil, topology.Errorf(topology.ETOOLARGE, "The pasted text is larger than %d MiB.", topology.MaxInputSize>>20)
		}
		files = append(files, importer.File{Name: "pasted.yaml", Data: []byte(text)})
	}
	if len(files) == 0 {
		return nil, topology.Errorf(topology.EINVALID, "Choose a file to upload or paste a model.")
	}
	return files, nil
}

func readUpload(fh *multipart.FileHeader, limit int) ([]byte, error) {
	if fh.Size > int64(limit) {
		return nil, topology.Errorf(topology.ETOOLARGE, "The upload is larger than %d MiB in all.", topology.MaxInputSize>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > limit {
		return nil, topology.Errorf(topology.ETOOLARGE, "The upload is larger than %d MiB in all.", topology.MaxInputSize>>20)
	}
	return data, nil
}

// importProblems lists what the user must fix in their input, with the
// status to answer; ok is false for errors that are not theirs.
func importProblems(err error) (status int, problems []string, ok bool) {
	var ve *topology.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			problems = append(problems, p.String())
		}
		return http.StatusUnprocessableEntity, problems, true
	}
	switch code := topology.ErrorCode(err); code {
	case topology.EINVALID, topology.ETOOLARGE, topology.ECONFLICT:
		return statusOf(code), []string{topology.ErrorMessage(err)}, true
	}
	return 0, nil, false
}

func importReport(r *importer.Report) *views.ImportReport {
	if r.Empty() {
		return nil
	}
	out := &views.ImportReport{Created: r.Created, Skipped: r.Skipped, Assumptions: r.Assumptions, Warnings: r.Warnings}
	for _, d := range r.Dependencies {
		out.Dependencies = append(out.Dependencies, fmt.Sprintf("%s → %s (%s, %s): %s, %s", d.From, d.To, d.Protocol, d.Mode, d.Reason, d.Location()))
	}
	return out
}

// renderImport answers the import tab: the whole page, or for htmx only the
// result region (with the new revision), so that the form keeps the files
// the user chose.
func (s *Server) renderImport(c echo.Context, status int, ws *store.Workspace, f *views.Form, res *views.ImportResult) error {
	p := s.workspacePage(c, ws, "import")
	if isHTMX(c) {
		return render(c, status, views.ImportResultRegion(p, res))
	}
	return render(c, status, views.Layout(p, views.ImportPage(p, f, res)))
}
