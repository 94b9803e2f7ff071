//go:build race

package server

// raceEnabled: the race detector makes big-model tests many times slower;
// they shrink or skip under it (what they check is not about races).
const raceEnabled = true
