package demo

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"time"

	"mxaudit/model"
)

// Bulk generates n messages of a realistic mix and passes each to emit,
// in order, without holding more than a small window of them in memory.
// About 30% carry attachments (encrypted ZIPs most often), senders come
// from the fifty bulk domains, and about a third of the encrypted-ZIP
// mails are followed by their password notification. Message i depends only on seed
// and i, so the work is spread over the available cores and the output
// is still the same on every run. Bulk stops at emit's first error and
// returns it.
func Bulk(n int, seed uint64, emit func(Sample) error) error {
	if n <= 0 {
		return nil
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	const window = 64

	type result struct {
		i   int
		s   Sample
		err error
	}
	jobs := make(chan int)
	results := make(chan result, window)
	slots := make(chan struct{}, window)
	done := make(chan struct{})
	defer close(done)

	go func() {
		defer close(jobs)
		for i := range n {
			select {
			case slots <- struct{}{}:
			case <-done:
				return
			}
			select {
			case jobs <- i:
			case <-done:
				return
			}
		}
	}()
	for range workers {
		go func() {
			for i := range jobs {
				s, err := bulkSample(seed, i, n)
				select {
				case results <- result{i, s, err}:
				case <-done:
					return
				}
			}
		}()
	}

	pending := make(map[int]result, window)
	for next := 0; next < n; {
		r := <-results
		pending[r.i] = r
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			if r.err != nil {
				return fmt.Errorf("bulk message %d: %w", next, r.err)
			}
			if err := emit(r.s); err != nil {
				return err
			}
			<-slots
			next++
		}
	}
	return nil
}

// bulkBase is when the bulk quarantine starts filling: a week before the
// curated demo's Monday. Messages arrive about every 13 seconds.
var bulkBase = DefaultBase.Add(-7 * 24 * time.Hour)

// bulkPlan holds every random decision about bulk message i, so that
// message i+1 can look at it (to follow up with the password) without
// rendering it.
type bulkPlan struct {
	i        int
	rng      *rand.Rand
	time     time.Time
	domain   int
	japanese bool
	sender   addr
	charset  string
	kind     attKind
	password string
	zipEnc   model.Encryption
	scenario authScenario
	// followUp says, for an encrypted-ZIP mail, whether the next message
	// is its password notification.
	followUp bool
}

type attKind int

const (
	attNone attKind = iota
	attEncryptedZip
	attPDF
	attXLSX
	attPNG
	attPlainZip
	attExeZip
	attDocm
	attDoubleExt
)

type authScenario int

const (
	authLegit     authScenario = iota
	authSpoof                  // attacker's IP, no signature
	authTampered               // signed, body changed afterwards
	authForwarded              // via a forwarder: SPF fails, DKIM survives
)

// planFor draws message i's decisions from its own random stream.
func planFor(seed uint64, i int) bulkPlan {
	rng := rand.New(rand.NewPCG(seed, 0xb0b0_0000+uint64(i)))
	p := bulkPlan{i: i, rng: rng}
	p.time = bulkBase.Add(time.Duration(i)*13*time.Second + time.Duration(rng.IntN(10))*time.Second)
	// a skewed choice: a few domains send much of the mail, as in life
	p.domain = min(int(rng.ExpFloat64()*14), len(bulkDomainNames)-1)
	if rng.IntN(3) == 0 {
		p.domain = rng.IntN(len(bulkDomainNames))
	}
	name := bulkDomainNames[p.domain]
	p.japanese = p.domain < 32
	if p.japanese {
		p.sender = addr{jpFamily[rng.IntN(len(jpFamily))] + " " + jpGiven[rng.IntN(len(jpGiven))], ""}
		p.sender.Address = fmt.Sprintf("%s.%s@%s", romaji[rng.IntN(len(romaji))], romaji[rng.IntN(len(romaji))], name)
		p.charset = []string{csISO2022, csISO2022, csISO2022, csUTF8, csUTF8, csShiftJIS, csEUCJP}[rng.IntN(7)]
	} else {
		first, last := enFirst[rng.IntN(len(enFirst))], enLast[rng.IntN(len(enLast))]
		p.sender = addr{first + " " + last, strings.ToLower(first+"."+last) + "@" + name}
		p.charset = csUTF8
	}
	// 32% rather than 30%: password notifications replace about 1.5% of
	// the messages and carry no file.
	if rng.IntN(100) < 32 {
		r := rng.IntN(100)
		switch {
		case r < 45:
			p.kind = attEncryptedZip
		case r < 70:
			p.kind = attPDF
		case r < 80:
			p.kind = attXLSX
		case r < 87:
			p.kind = attPNG
		case r < 92:
			p.kind = attPlainZip
		case r < 95:
			p.kind = attExeZip
		case r < 98:
			p.kind = attDocm
		default:
			p.kind = attDoubleExt
		}
	}
	p.password = randomPassword(rng)
	p.zipEnc = model.EncryptionZipCrypto
	if rng.IntN(5) < 2 {
		p.zipEnc = model.EncryptionAES256
	}
	switch r := rng.IntN(100); {
	case r < 80:
		p.scenario = authLegit
	case r < 88:
		p.scenario = authSpoof
	case r < 93:
		p.scenario = authTampered
	default:
		p.scenario = authForwarded
	}
	// Only even messages may be followed up, by the odd one after them,
	// so that a password notification is never itself followed up.
	p.followUp = p.kind == attEncryptedZip && i%2 == 0 && rng.IntN(4) < 3
	return p
}

// randomPassword returns an 8-character password of the kind PPAP tools
// generate.
func randomPassword(rng *rand.Rand) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789#$%&!@"
	b := make([]byte, 8)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// bulkSample renders bulk message i.
func bulkSample(seed uint64, i, n int) (Sample, error) {
	p := planFor(seed, i)
	var prev *bulkPlan
	if i > 0 {
		if pp := planFor(seed, i-1); pp.followUp {
			prev = &pp
		}
	}
	spec := bulkSpec(p, prev)
	b := newBuilder(seed, 0xb1b1_0000+uint64(i))
	raw, want, err := b.build(spec)
	if err != nil {
		return Sample{}, err
	}
	s := Sample{Name: bulkName(spec.Time, i), Raw: raw, Want: want}
	if prev != nil {
		s.Want.PasswordFor = bulkName(prev.time, i-1)
	} else if p.followUp && i+1 < n {
		s.Want.PasswordMail = bulkName(followUpTime(&p), i+1)
	}
	return s, nil
}

// followUpTime is when the password notification for zip goes out: one
// to five minutes after the ZIP.
func followUpTime(zip *bulkPlan) time.Time {
	return zip.time.Add(time.Duration(60+zip.i*37%240) * time.Second)
}

// bulkName is the Maildir-style name of bulk message i.
func bulkName(t time.Time, i int) string {
	return strconv.FormatInt(t.Unix(), 10) + ".M" + strconv.Itoa(i) + "P" + strconv.Itoa(20000+i%40000) + ".bulk"
}
