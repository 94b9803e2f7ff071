// Package importer turns compose files and Kubernetes manifests into a
// topology.Model, with a report of everything it inferred, skipped or assumed.
package importer

import (
	_ "github.com/compose-spec/compose-go/v2/loader"
)
