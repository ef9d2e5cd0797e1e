//go:build !unix

package fsx

// CheckTeam finds nothing where Unix modes do not exist.
func CheckTeam(string, ...string) []string { return nil }
