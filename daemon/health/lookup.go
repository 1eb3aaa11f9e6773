package health

// Lookup returns what the monitor knows of one real server ("virtual/
// server"), without copying the others: the table builder asks for one
// server at a time.
func (m *Monitor) Lookup(key string) (ServerStatus, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok := m.workers[key]
	if !ok {
		return ServerStatus{}, false
	}
	return w.status, true
}
