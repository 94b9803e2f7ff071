package diagram

import (
	"crypto/sha256"
	"encoding/hex"
)

// Element ids.
//
// Every node, cluster and edge of a diagram carries an id attribute that the
// page's script and CSS use to find it. An id is a fixed prefix and the
// first 48 bits of the SHA-256 of the name(s) it stands for, in lowercase
// hex: it depends on nothing but the names, so it is the same in every view,
// every render and every revision of the model, and it is safe as an XML
// attribute, an HTML id and a CSS selector whatever the name holds (names
// are any Unicode). Parts that belong to one service or one dependency
// extend that thing's id, so [id^="svc-…"] selects all of them.
//
//	ServiceID("cart")                       svc-<12 hex>
//	PlacementID("cart", "node-a")           svc-<12 hex>-<8 hex>
//	DependencyID("web", "cart")             dep-<12 hex>
//	DeploymentEdgeID("web", "cart", "a", "b") dep-<12 hex>-<8 hex>
//	ServerID("node-a")                      srv-<12 hex>
//	ZoneID("eu-west-1a")                    zone-<12 hex>
//	TeamID("payments")                      team-<12 hex>
//	TeamPlacementID("payments", "node-a")   team-<12 hex>-<8 hex>
//	GroupEdgeID(fromNodeID, toNodeID)       grp-<12 hex>
//
// plus the fixed ids LegendID, ExternalClusterID and UnplacedClusterID.

// Fixed ids.
const (
	LegendID          = "legend"
	ExternalClusterID = "external"
	UnplacedClusterID = "unplaced"
)

// ServiceID is the id of the node of a service (in the deployment view: of
// an unplaced service, which has no placement to show it).
func ServiceID(name string) string { return "svc-" + hash(12, name) }

// PlacementID is the id of the node of service on server (deployment view).
func PlacementID(service, server string) string {
	return ServiceID(service) + "-" + hash(8, server)
}

// DependencyID is the id of the edge of the dependency from → to (services view).
func DependencyID(from, to string) string { return "dep-" + hash(12, from, to) }

// DeploymentEdgeID is the id of one edge of the dependency from → to in the
// deployment view, drawn from from's placement on fromServer to to's
// placement on toServer ("" for an unplaced service).
func DeploymentEdgeID(from, to, fromServer, toServer string) string {
	return DependencyID(from, to) + "-" + hash(8, fromServer, toServer)
}

// ServerID is the id of the cluster of a server (deployment view).
func ServerID(name string) string { return "srv-" + hash(12, name) }

// ZoneID is the id of the cluster of a zone (deployment view).
func ZoneID(name string) string { return "zone-" + hash(12, name) }

// TeamID is the id of a team's node when services are grouped by team.
func TeamID(team string) string { return "team-" + hash(12, team) }

// TeamPlacementID is the id of the node of a team's services on one server
// (deployment view grouped by team).
func TeamPlacementID(team, server string) string { return TeamID(team) + "-" + hash(8, server) }

// GroupEdgeID is the id of an edge that counts several dependencies: those
// between the two nodes with the given ids when one of them (or both) is a
// team (services grouped by team).
func GroupEdgeID(fromNodeID, toNodeID string) string { return "grp-" + hash(12, fromNodeID, toNodeID) }

// hash returns the first n hex digits of the SHA-256 of the parts joined by
// NUL, which no name can hold (names have no control characters).
func hash(n int, parts ...string) string {
	h := sha256.New()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))[:n]
}
