// Package prefault maps in at once the pages of memory just allocated
// that a caller is about to fill whole, instead of taking a page fault
// for each 4 KiB page as the fill first touches it.
//
// Page faults are dear where each one traps to the kernel through
// page-table isolation or a hypervisor: on the two-core VM mxaudit's
// figures are taken on, new memory cost about 3 ms a MB faulted page by
// page, and 0.2 ms a MB populated with one madvise(MADV_POPULATE_WRITE).
// A warm start at 100,000 messages fills tens of MB this way (the
// cache's index, the console's row snapshot).
//
// It lives under model/store, the lowest layer that reads such files,
// so that model/store and ui/app share it.
package prefault
