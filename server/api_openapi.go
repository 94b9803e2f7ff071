package server

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPIDocument describes every route of the JSON API. It is written by
// hand; api_openapi_test.go checks it against the routes the server
// registers, in both directions.
//
//go:embed api_openapi.json
var openAPIDocument []byte

// handleAPIOpenAPI serves the OpenAPI document; it needs no token, as it
// says nothing about anyone's data.
func (s *Server) handleAPIOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDocument)
}
