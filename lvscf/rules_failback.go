package lvscf

// ruleFailback checks lvsadm's failback: it only acts in a pair with a
// backup, and waits for a connection table only the sync daemon provides.
func ruleFailback(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	c := a.cfg
	if c.Failback == 0 {
		return nil
	}
	switch {
	case c.DirectorMode == DirectorModeECMP:
		r.atKey(&a.root, "failback", SevWarning, "failback-unused",
			"failback has no effect with director_mode = ecmp: every director is active, there is nothing to take back")
	case !c.BackupActive:
		r.atKey(&a.root, "failback", SevWarning, "failback-unused",
			"failback has no effect without a backup (backup_active = 0): the primary is never replaced")
	case !c.SyncDaemon:
		r.atKey(&a.root, "failback", SevWarning, "failback-without-sync",
			"failback without syncdaemon = 1: the returning primary gets no connection table, so it waits the whole %ss and then cuts the connections the backup carries; set syncdaemon = 1", c.Failback)
	}
	return r.out
}
