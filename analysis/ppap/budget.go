package ppap

import "time"

// budget is the work one ZIP mail's pairing may still do: units (one
// password tried on one entry: for AES a key derivation, the costly step)
// and time. Every attempt on the probe entry, every entry decrypted and
// every other password tried on an entry spends one unit; once either
// bound is reached nothing more is tried, and the archives concerned say
// "not checked: budget".
type budget struct {
	units    int
	deadline time.Time
	out      bool // set once a spend was refused
}

func newBudget(cfg *Config) *budget {
	return &budget{units: cfg.MaxWork, deadline: time.Now().Add(cfg.Budget)}
}

// spend takes one unit, or reports false when the budget is gone. A nil
// budget never runs out (Password, on an operator's explicit request).
func (b *budget) spend() bool {
	if b == nil {
		return true
	}
	if b.out || b.units <= 0 || !time.Now().Before(b.deadline) {
		b.out = true
		return false
	}
	b.units--
	return true
}

// exhausted reports whether a spend was refused.
func (b *budget) exhausted() bool { return b != nil && b.out }
