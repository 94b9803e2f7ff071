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

// handleModelImportShow is the import & export tab.
func (s *Server) handleModelImportShow(c echo.Context) error {
	ws, err := s.db.GetWorkspace(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return s.renderImport(c, http.StatusOK, ws, &views.Form{}, nil, nil)
}

// handleModelImport replaces the workspace's model by an uploaded or pasted
// model file, compose files or Kubernetes manifests. Any problem is listed
// on the page and nothing changes.
func (s *Server) handleModelImport(c echo.Context) error {
	ctx := c.Request().Context()
	slug := c.Param("slug")
	ws, err := s.db.GetWorkspace(ctx, slug)
	if err != nil {
		return err
	}
	f := newForm(c, "format", "text")
	f.Values["text"] = c.FormValue("text") // keep the pasted text exactly
	failed := func(status int, problems []string) error {
		return s.renderImport(c, status, ws, f, problems, nil)
	}
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	files, err := importFiles(c)
	if err != nil {
		if status, problems, ok := importProblems(err); ok {
			return failed(status, problems)
		}
		return err
	}
	var (
		m      *topology.Model
		report = &views.ImportReport{}
	)
	switch f.Values["format"] {
	case "", "model":
		if len(files) != 1 {
			return failed(http.StatusUnprocessableEntity, []string{"Upload one model file or paste one model."})
		}
		m, err = topology.Parse(files[0].Data)
	case "compose":
		var r *importer.Report
		m, r, err = importer.Compose(files, importer.ComposeOptions{Name: ws.Name})
		report = importReport(r)
	case "kubernetes":
		var r *importer.Report
		m, r, err = importer.Kubernetes(files, importer.KubeOptions{Name: ws.Name})
		report = importReport(r)
	default:
		return failed(http.StatusUnprocessableEntity, []string{"Choose a format: archmap model, Docker Compose or Kubernetes."})
	}
	if err == nil {
		_, err = s.db.ReplaceModel(ctx, slug, m, rev)
	}
	if err != nil {
		if topology.ErrorCode(err) == topology.EPRECONDITION {
			return failed(http.StatusConflict, []string{staleMessage})
		}
		if status, problems, ok := importProblems(err); ok {
			return failed(status, problems)
		}
		return err
	}
	if ws, err = s.db.GetWorkspace(ctx, slug); err != nil {
		return err
	}
	return s.renderImport(c, http.StatusOK, ws, &views.Form{Values: map[string]string{"format": f.Values["format"]}}, nil, report)
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
	if r == nil {
		return &views.ImportReport{}
	}
	out := &views.ImportReport{Created: r.Created, Skipped: r.Skipped, Assumptions: r.Assumptions, Warnings: r.Warnings}
	for _, d := range r.Dependencies {
		out.Dependencies = append(out.Dependencies, fmt.Sprintf("%s → %s (%s, %s): %s, %s", d.From, d.To, d.Protocol, d.Mode, d.Reason, d.Location()))
	}
	return out
}

func (s *Server) renderImport(c echo.Context, status int, ws *store.Workspace, f *views.Form, problems []string, report *views.ImportReport) error {
	p := s.workspacePage(c, ws, "import")
	return render(c, status, views.Layout(p, views.ImportPage(p, f, problems, report)))
}
