package console

import (
	"runtime/debug"

	"mxaudit/ui/app"
)

// gcPercent is the console's garbage collection target (GOGC) when the
// operator sets none. The console is a long-lived process on a gateway
// shared with other services, holding a whole quarantine: Go's default of
// 100 lets the heap grow to twice the live messages before a collection,
// and the scan's parsing garbage takes it there, so that resident memory
// is about twice what the list needs. A lower target trades some CPU
// during the scan for that memory (figures in README.md, "Memory").
const gcPercent = 50

// tuneGC sets the console's collection target to gcPercent, unless the
// operator chose one with GOGC or GOMEMLIMIT, which the Go runtime has
// then applied already; it returns a function that restores the previous
// target. Only the interactive console calls it: a command's process is
// short-lived, and "mxaudit serve" shares one heap among its sessions.
func tuneGC(getenv func(string) string) (restore func()) {
	if app.OperatorChoseGC(getenv) {
		return func() {}
	}
	old := debug.SetGCPercent(gcPercent)
	return func() { debug.SetGCPercent(old) }
}
