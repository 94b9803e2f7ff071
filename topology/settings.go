package topology

// Validate checks the thresholds on their own, as Model.Validate does, with
// paths like "settings.max_sync_chain".
func (s *Settings) Validate() error {
	var v validator
	s.validate(&v)
	return v.err()
}
