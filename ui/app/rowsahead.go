package app

import (
	"strings"

	"mxaudit/model"
	"mxaudit/model/store"
)

// Rows ahead: a console's first screen before its scan has checked the
// source. A warm start hands out the kept list (the row snapshot) only
// once the source is listed and found to be what the last scan saw: at
// 100,000 messages on two cores that is a quarter of a second, most of
// it the listing, which shares the cores with the cache's index and the
// console's own start. ScanRows reads the first block of that list
// first, before the source is listed or the cache opened, and gives it
// to the console to show at once as the list of the last start, not yet
// checked. The console acts on none of those rows and reads none of
// their messages back: it swaps them for the rows the scan hands out
// (the same ones when nothing changed), or drops them when the scan
// withdraws them (ahead called with nil) because it will not hand out
// that list.
//
// What is shown ahead is only ever a list kept over the cache file of
// now, under the settings of now, of rows made as this mxaudit makes
// them (store.PeekCache, rowsName, rowMaker): a change of settings or of
// how rows are made shows nothing ahead rather than rows the scan would
// drop. Only the first block is read, bounded (maxAheadBlockLen),
// whatever the file says of itself.

// rowsAhead returns the first block of the row snapshot of the source's
// cache, read before the source is listed or the cache opened; nil when
// there is none kept under the analysis settings of now of rows made as
// this mxaudit makes them, or it cannot be read.
func (a *App) rowsAhead() []model.Row {
	dir, err := a.cacheDir()
	if err != nil {
		return nil
	}
	cachePath, cacheSum, ok := store.PeekCache(dir, a.src.Name(), a.cacheFingerprint())
	if !ok {
		return nil
	}
	rf, err := openRowsWith(rowsPath(cachePath), func(line string) (int, bool) { return aheadHeader(line, cacheSum) })
	if err != nil {
		return nil
	}
	defer rf.Close()
	rf.maxBlock = maxAheadBlockLen
	rows, err := rf.next()
	if err != nil {
		return nil
	}
	return rows
}

// maxAheadBlockLen bounds the first block read ahead: one of rowsPerBlock
// rows is a few hundred kilobytes, and a file in the cache directory
// says how long it is.
const maxAheadBlockLen = 16 << 20

// aheadHeader accepts the first line of a row snapshot of rows made as
// this mxaudit makes them (rowMaker), kept over the cache file whose
// header sums to cacheSum, of whatever scan snapshot (rowsHeader,
// rowsName), and returns the rows the first block may hold: the count
// the file gives, at most a block's.
func aheadHeader(line, cacheSum string) (int, bool) {
	maker := rowMaker()
	h, ok := parseRowsHeader(line)
	if !ok || maker == "" || cacheSum == "" || h.maker != maker {
		return 0, false
	}
	if digest, ok := strings.CutSuffix(h.digest, "."+cacheSum); !ok || digest == "" {
		return 0, false
	}
	return min(h.count, rowsPerBlock), true
}

// shownAhead is the rows a scan gave ahead (ScanRows' ahead), until it
// hands out the kept list or withdraws them.
type shownAhead struct {
	give  func([]model.Row)
	shown bool
}

// show gives rows ahead, when there are any.
func (s *shownAhead) show(rows []model.Row) {
	if s == nil || len(rows) == 0 {
		return
	}
	s.give(rows)
	s.shown = true
}

// withdraw tells the console that the rows given ahead are not this
// scan's list: it will not hand that list out.
func (s *shownAhead) withdraw() {
	if s == nil || !s.shown {
		return
	}
	s.shown = false
	s.give(nil)
}

// handedOut records that the scan hands out the kept list: its rows
// take the place of those shown ahead, and nothing is withdrawn.
func (s *shownAhead) handedOut() {
	if s != nil {
		s.shown = false
	}
}
