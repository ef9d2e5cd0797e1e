package app

// OperatorChoseGC reports whether the operator set the collector's target
// with GOGC or GOMEMLIMIT. The Go runtime has then applied it already, so
// a front end's own policy (a heap floor for a short scan, a lower target
// for the long-lived console) must leave the collector alone. The front
// ends keep their policies, which differ, and share this one rule.
func OperatorChoseGC(getenv func(string) string) bool {
	return getenv("GOGC") != "" || getenv("GOMEMLIMIT") != ""
}
