package store

import (
	"path/filepath"

	"mxaudit/model/store/fsx"
)

// CheckTeamSetup explains what would stop this operator, or another of
// the team, from writing the policy file, its lock, the audit log and the
// action locks beside it (see fsx.CheckTeam and docs/exceptions.md, "A
// team on one host"). The commands print it at start, so that "permission
// denied" on an approval comes with its cause and the command to fix it.
func CheckTeamSetup(policyPath, auditPath string) []string {
	pdir, adir := filepath.Dir(policyPath), filepath.Dir(auditPath)
	policyNames := []string{filepath.Base(policyPath), filepath.Base(policyPath) + ".lock"}
	auditNames := []string{filepath.Base(auditPath)}
	if locks, err := filepath.Glob(filepath.Join(adir, ".actions-*.lock")); err == nil {
		for _, l := range locks {
			auditNames = append(auditNames, filepath.Base(l))
		}
	}
	if pdir == adir {
		return fsx.CheckTeam(pdir, append(policyNames, auditNames...)...)
	}
	return append(fsx.CheckTeam(pdir, policyNames...), fsx.CheckTeam(adir, auditNames...)...)
}
