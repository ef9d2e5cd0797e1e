package archive

import (
	"bytes"
	"io"
	"slices"
	"sort"

	"mxaudit/model"
)

// orphanLocals lists the local headers before the central directory that
// no directory record references and that lie in no listed entry's header
// or data (a data descriptor, APPNOTE 4.3.9, starts "PK\x07\x08" and is
// not taken for one).
// archive/zip and unzip never see them; 7-Zip and streaming readers walk
// the local headers (APPNOTE 4.3.6: the directory is the index, the local
// headers the data) and extract them. They are reported as one more
// archive in Others, so that an encrypted entry hidden there makes the
// attachment encrypted, and as concatenated-archives (review finding 4).
func (in *inspector) orphanLocals(a *model.Archive, r io.ReaderAt, dirStart int64, used [][2]int64) {
	// Sorted by start, each end raised to the largest end so far: one
	// binary search tells whether an offset lies in any range.
	slices.SortFunc(used, func(x, y [2]int64) int { return cmpInt64(x[0], y[0]) })
	for i := 1; i < len(used); i++ {
		used[i][1] = max(used[i][1], used[i-1][1])
	}
	var orphans *model.Archive
	buf := make([]byte, min(dirStart, scanBlock)+3)
	for off := int64(0); off < dirStart; off += scanBlock {
		n, _ := r.ReadAt(buf[:min(int64(len(buf)), dirStart-off)], off)
		for i := 0; i < min(n, scanBlock); {
			j := bytes.Index(buf[i:n], localHeaderSig)
			if j < 0 || i+j >= min(n, scanBlock) {
				break
			}
			at := off + int64(i+j)
			i += j + 1
			if inRanges(used, at) {
				continue
			}
			e, _, _, ok := readLocalEntry(r, dirStart, at)
			if !ok || e.Name == "" {
				continue
			}
			if orphans == nil {
				orphans = &model.Archive{Format: "zip", Offset: at,
					Error: "local headers that no central directory record references: archive/zip and unzip do not list them, 7-Zip extracts them"}
			}
			orphans.Entries = append(orphans.Entries, e)
			addEntryEncryption(orphans, &orphans.Entries[len(orphans.Entries)-1])
			if len(orphans.Entries) >= in.lim.MaxEntries {
				orphans.Truncated = true
				break
			}
		}
		if orphans != nil && orphans.Truncated {
			break
		}
	}
	if orphans == nil {
		return
	}
	orphans.TotalEntries = len(orphans.Entries)
	a.Others = append(a.Others, orphans)
	a.Risks = model.AddRisk(a.Risks, model.RiskConcatenated)
	if orphans.Truncated {
		a.Truncated = true
	}
}

// inRanges reports whether off lies in one of used, sorted by start with
// running maximum ends.
func inRanges(used [][2]int64, off int64) bool {
	i := sort.Search(len(used), func(i int) bool { return used[i][0] > off })
	return i > 0 && off < used[i-1][1]
}
