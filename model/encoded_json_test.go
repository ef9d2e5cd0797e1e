package model

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	jsonv1 "github.com/go-json-experiment/json/v1"
)

// TestCachedJSONDecodesAsTheStandardLibrary checks that the decoder the
// cache's readers use (the v1 API of Go 1.27's encoding/json, which Go
// 1.26's is not yet) reads messages exactly as encoding/json does: the
// messages mxaudit writes, and records it never writes (a duplicated or
// differently-cased field, invalid UTF-8, unknown fields, nulls).
func TestCachedJSONDecodesAsTheStandardLibrary(t *testing.T) {
	var inputs [][]byte
	for _, m := range randomMessages(rand.New(rand.NewPCG(11, 12)), 300) {
		m.Attachments = []Attachment{{Filename: "a.zip", Risks: []Risk{"encrypted"}, Archive: &Archive{Format: "zip", Entries: []Entry{{Name: "x.exe"}}}}}
		b, err := json.Marshal(&m)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, b)
	}
	for _, s := range []string{
		`{"id":"a","id":"b"}`,
		`{"ID":"a","Subject":"s","SUBJECT":"t"}`,
		"{\"id\":\"a\",\"subject\":\"\xff\xfe broken\"}",
		`{"id":"a","unknown":{"deep":[1,2,3]},"subject":"s"}`,
		`{"id":"a","attachments":null,"to":null,"auth":null}`,
		`{"id":"a","size":1e3}`,
		`{"id":"a","date":"2026-11-16T09:00:00+09:00"}`,
		`{"id":"\u0000\ud800x"}`,
	} {
		inputs = append(inputs, []byte(s))
	}
	for _, in := range inputs {
		var want, got Message
		wantErr := json.Unmarshal(in, &want)
		gotErr := jsonv1.Unmarshal(in, &got)
		if (wantErr == nil) != (gotErr == nil) {
			t.Errorf("%.80s: error %v, encoding/json's %v", in, gotErr, wantErr)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%.80s: decoded\n%+v\nencoding/json\n%+v", in, got, want)
		}
	}
}
