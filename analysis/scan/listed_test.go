package scan_test

import (
	"context"
	"sync"
	"testing"

	"mxaudit/analysis"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// twiceSource lists its source with the entry at index dup listed twice,
// as a file renamed while it was listed may be.
type twiceSource struct {
	mailsrc.Source
	dup int
}

func (s twiceSource) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	i := 0
	return s.Source.List(ctx, func(e mailsrc.Entry) error {
		if i == s.dup {
			if err := fn(e); err != nil {
				return err
			}
		}
		i++
		return fn(e)
	})
}

// TestListedTwiceIsTold: a complete listing that lists a file twice (its
// name and stamp) says so through Options.ListedTwice, once; one that
// does not, and a listing of part of a source, say nothing.
func TestListedTwiceIsTold(t *testing.T) {
	_, _, src, openCache := demoMaildir(t)
	an := analysis.New(analysis.Config{})
	for _, tt := range []struct {
		name string
		src  mailsrc.Source
		part bool
		want int
	}{
		{"each file once", src, false, 0},
		{"one file twice", twiceSource{src, 7}, false, 1},
		{"the first file twice", twiceSource{src, 0}, false, 1},
		{"part of a listing", twiceSource{src, 7}, true, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := openCache()
			defer c.Close()
			told := 0
			opt := scan.Options{Cache: c, Part: tt.part, ListedTwice: func() { told++ }}
			if err := scan.Run(context.Background(), tt.src, an, opt, func(model.Message) error { return nil }); err != nil {
				t.Fatal(err)
			}
			if told != tt.want {
				t.Errorf("told %d times, want %d", told, tt.want)
			}
		})
	}
}

// undecodableCache is a ListedCache whose results are encoded and do
// not decode, under another ID than the entry's, which the scan decodes
// whole to change.
type undecodableCache struct {
	*store.Cache
	mu      sync.Mutex
	given   map[model.MessageID]bool
	dropped map[model.MessageID]bool
}

func (c *undecodableCache) GetListed(e mailsrc.Entry, _ string, _ bool) (model.Message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.given[e.ID] = true
	return model.Message{ID: "another", Encoded: &model.Encoded{JSON: []byte(`{"id":`)}}, true
}

func (c *undecodableCache) Dropped(e mailsrc.Entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropped[e.ID] = true
}

// TestDroppedIsToldOfAResultNotUsed: a result a ListedCache gave that
// the scan cannot use (it does not decode) is analysed again, and the
// cache is told, for every entry.
func TestDroppedIsToldOfAResultNotUsed(t *testing.T) {
	_, _, src, openCache := demoMaildir(t)
	c := &undecodableCache{Cache: openCache(), given: map[model.MessageID]bool{}, dropped: map[model.MessageID]bool{}}
	defer c.Close()
	out := map[model.MessageID]model.Message{}
	opt := scan.Options{Cache: c, Encoded: true}
	if err := scan.Run(context.Background(), src, analysis.New(analysis.Config{}), opt, func(m model.Message) error {
		out[m.ID] = m
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(c.given) == 0 || len(c.dropped) != len(c.given) {
		t.Fatalf("%d results given, %d told dropped", len(c.given), len(c.dropped))
	}
	for id := range c.given {
		if m := out[id]; m.IsEncoded() || m.ID != id || m.Subject == "" && m.Error == "" {
			t.Errorf("%s: emitted %+v, not analysed again", id, m)
		}
	}
}
