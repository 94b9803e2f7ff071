// Package importer turns compose files and Kubernetes manifests into a
// topology.Model, with a report of everything it inferred, skipped or
// assumed, each inference citing the file and line it came from.
//
// Both importers work on files held in memory (File), so the CLI and the web
// upload share them, and neither reads anything else: not the process
// environment, not files the input merely references. (ReadPaths, the CLI's
// reader, is where a compose include is followed to the disk.) Detect tells
// the formats apart by their content, for the web app's automatic choice.
package importer
