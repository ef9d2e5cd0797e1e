// Command gen writes the demo quarantine, or a large generated one, to
// disk in any store layout mxaudit reads, and optionally the DNS zone its
// domains publish:
//
//	go run ./mailsrc/demo/gen -out DIR [-n 20000] [-format maildir|eml|mbox|gzip] [-seed 1] [-zone zone.json]
//
// Without -n it writes the curated demo (about sixty messages); with -n it
// streams that many bulk messages. For -format mbox, -out names the mbox
// file. The output is the same for the same flags on every run.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"mxaudit/mailsrc/demo"
)

func main() {
	out := flag.String("out", "", "directory to write (for -format mbox: the mbox file)")
	n := flag.Int("n", 0, "number of bulk messages; 0 writes the curated demo")
	format := flag.String("format", "maildir", "store layout: maildir, eml, mbox or gzip")
	seed := flag.Uint64("seed", 1, "seed of the generated content")
	zone := flag.String("zone", "", "also write the DNS zone as JSON to this file")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 || *n < 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, demo.Format(*format), *n, *seed, *zone); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string, format demo.Format, n int, seed uint64, zonePath string) error {
	start := time.Now()
	w, err := demo.NewStoreWriter(format, out)
	if err != nil {
		return err
	}
	count := 0
	write := func(s demo.Sample) error {
		count++
		return w.Write(s)
	}
	if n == 0 {
		for _, s := range demo.Samples(demo.Options{Seed: seed}) {
			if err := write(s); err != nil {
				w.Close()
				return err
			}
		}
	} else if err := demo.Bulk(n, seed, write); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if zonePath != "" {
		if err := writeZone(zonePath); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %d messages (%s) to %s in %v\n", count, format, out, time.Since(start).Round(time.Millisecond))
	return nil
}

// writeZone writes the demo's DNS records as a JSON list of
// {"Name", "Type", "Value"} objects.
func writeZone(path string) error {
	data, err := json.MarshalIndent(demo.Zone(), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
