package bgp

// KillHelper kills the running helper as a crash would, for the tests of
// the supervisor.
func (s *Speaker) KillHelper() {
	s.pmu.Lock()
	p := s.proc
	s.pmu.Unlock()
	if p != nil {
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}
