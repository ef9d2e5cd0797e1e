package mailsrc

import (
	"os"
	"slices"
)

// A message is opened where the last listing saw it through a root of
// its folder, opened once: one openat of the bare name. Through the
// Maildir's root, "cur/NAME" is resolved a component at a time, an open
// and a close of the folder for every message, a third of the system
// calls of a scan's opens.
//
// A listing stats its files through the same roots. A folder replaced
// since (cur/ moved away and made again) is noticed at the next listing
// (List, or the watcher's listIDBytes when the folders' stamps changed),
// which opens the new one. Until then an open through the old root may
// fail, and Open then looks for the file again by path from the
// Maildir's root.

// openListed opens the file where a listing saw it, and returns the root
// and name it was opened by.
func (m *Maildir) openListed(file maildirFile) (*os.File, *os.Root, string, error) {
	r, name := m.folder(file.sub), file.name
	if r == nil {
		r, name = m.root, file.rel()
	}
	f, err := r.OpenFile(name, openFlags, 0)
	return f, r, name, err
}

// folder returns the root of folder sub, opening it the first time; nil
// when it cannot be opened.
func (m *Maildir) folder(sub string) *os.Root {
	i := slices.Index(maildirSubdirs[:], sub)
	if i < 0 {
		return nil
	}
	m.mu.RLock()
	r := m.folders[i]
	m.mu.RUnlock()
	if r != nil {
		return r
	}
	opened, err := m.root.OpenRoot(sub)
	if err != nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.folders[i] != nil { // opened meanwhile
		m.retired = append(m.retired, opened)
		return m.folders[i]
	}
	m.folders[i] = opened
	return opened
}

// refreshFolders replaces the folder roots whose folder is no longer
// the one at its path. A replaced root is not closed until the Maildir
// is: an open may be using it.
func (m *Maildir) refreshFolders() {
	for i, sub := range maildirSubdirs {
		m.mu.RLock()
		r := m.folders[i]
		m.mu.RUnlock()
		if r == nil {
			continue
		}
		now, err := m.root.Stat(sub)
		was, werr := r.Stat(".")
		if err == nil && werr == nil && os.SameFile(now, was) {
			continue
		}
		m.mu.Lock()
		if m.folders[i] == r {
			m.folders[i] = nil
			m.retired = append(m.retired, r)
		}
		m.mu.Unlock()
	}
}

// closeFolders closes every folder root.
func (m *Maildir) closeFolders() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, r := range m.folders {
		if r != nil {
			r.Close()
			m.folders[i] = nil
		}
	}
	for _, r := range m.retired {
		r.Close()
	}
	m.retired = nil
}
