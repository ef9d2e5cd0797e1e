// Command genreports writes a Maildir of DMARC aggregate report mails for
// measuring `mxaudit reports`: n ordinary report mails and, among them,
// bombs report mails whose attachment (gzip and ZIP alternately) inflates
// to -inflated bytes:
//
//	go run ./mailsrc/demo/genreports -out DIR [-n 100] [-bombs 8] [-inflated 134217728]
//
// The output is the same on every run.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"mxaudit/mailsrc/demo"
)

func main() {
	out := flag.String("out", "", "Maildir to write")
	n := flag.Int("n", 100, "number of ordinary report mails")
	bombs := flag.Int("bombs", 0, "number of bomb report mails")
	inflated := flag.Int64("inflated", 128<<20, "bytes each bomb inflates to")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 || *n < 0 || *bombs < 0 {
		flag.Usage()
		os.Exit(2)
	}
	start := time.Now()
	if err := demo.WriteReportMaildir(*out, *n, *bombs, *inflated); err != nil {
		fmt.Fprintln(os.Stderr, "genreports:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "genreports: wrote %d report mails and %d bombs to %s in %v\n",
		*n, *bombs, *out, time.Since(start).Round(time.Millisecond))
}
