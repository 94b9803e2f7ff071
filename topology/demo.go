package topology

import _ "embed"

// demoYAML is the model a new installation starts with: a typical
// microservice shop that shows one service on many servers, many on one, one
// on one, and a few risks worth finding.
//
//go:embed demo.yaml
var demoYAML []byte

// Demo returns the demo model, parsed.
func Demo() *Model {
	m, err := Parse(demoYAML)
	if err != nil {
		panic("topology: the embedded demo model is invalid: " + err.Error())
	}
	return m
}
