//go:build unix

package fsx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// CheckTeam explains, in sentences an operator can act on, what in dir
// would stop this operator or another one of the team from writing the
// named files (those that exist; missing ones are created with the right
// mode later). It returns nil when nothing is wrong. Typical findings: a
// group-writable directory without the setgid bit (files would get each
// creator's own group), a file of a shared directory that its group
// cannot write (created 0640 before the directory was shared), a file
// owned by another group, and a file or directory this user cannot write,
// with its owner, group and mode.
func CheckTeam(dir string, names ...string) []string {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	dst, _ := info.Sys().(*syscall.Stat_t)
	perm := info.Mode().Perm()
	if perm&0o070 == 0o070 && info.Mode()&fs.ModeSetgid == 0 {
		out = append(out, fmt.Sprintf("%s is group-writable but not setgid: files created there get the creating operator's own group, which the others cannot write (run: chmod 2770 %s)", dir, dir))
	}
	if syscall.Access(dir, 0o3) != nil { // W_OK|X_OK
		out = append(out, fmt.Sprintf("you (%s) cannot create files in %s: %s (ask for membership of its group, or for chmod 2770 on it)", whoami(), dir, describe(info)))
	}
	shared := IsShared(info)
	for _, name := range names {
		path := filepath.Join(dir, name)
		fi, err := os.Lstat(path)
		if err != nil {
			continue
		}
		if !fi.Mode().IsRegular() {
			out = append(out, fmt.Sprintf("%s is not a regular file (%s)", path, fi.Mode().Type()))
			continue
		}
		if syscall.Access(path, 0o2) != nil { // W_OK
			out = append(out, fmt.Sprintf("you (%s) cannot write %s: %s", whoami(), path, describe(fi)))
		}
		if !shared {
			continue
		}
		if fi.Mode().Perm()&0o060 != 0o060 {
			out = append(out, fmt.Sprintf("%s is mode %04o in the shared directory %s: the group cannot write it, so the other operators get \"permission denied\" (run: chmod 660 %s)", path, fi.Mode().Perm(), dir, path))
		}
		if fst, ok := fi.Sys().(*syscall.Stat_t); ok && dst != nil && fst.Gid != dst.Gid {
			out = append(out, fmt.Sprintf("%s belongs to group %s, not to the shared directory's group %s (run: chgrp %s %s)", path, groupName(fst.Gid), groupName(dst.Gid), groupName(dst.Gid), path))
		}
	}
	return out
}

// describe words a file's owner, group and mode.
func describe(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Sprintf("mode %04o", fi.Mode().Perm())
	}
	return fmt.Sprintf("owner %s, group %s, mode %04o", userName(st.Uid), groupName(st.Gid), octal(fi.Mode()))
}

// octal is a mode as chmod takes it, setgid included (2770).
func octal(m fs.FileMode) uint32 {
	o := uint32(m.Perm())
	if m&fs.ModeSetgid != 0 {
		o |= 0o2000
	}
	return o
}

func whoami() string {
	name := userName(uint32(os.Getuid()))
	groups, _ := os.Getgroups()
	gs := ""
	for i, g := range groups {
		if i > 0 {
			gs += ","
		}
		gs += groupName(uint32(g))
	}
	if gs == "" {
		gs = groupName(uint32(os.Getgid()))
	}
	return name + " in groups " + gs
}

func userName(uid uint32) string {
	if u, err := user.LookupId(strconv.Itoa(int(uid))); err == nil {
		return u.Username
	}
	return strconv.Itoa(int(uid))
}

func groupName(gid uint32) string {
	if g, err := user.LookupGroupId(strconv.Itoa(int(gid))); err == nil {
		return g.Name
	}
	return strconv.Itoa(int(gid))
}
