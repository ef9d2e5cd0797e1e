package model

import "math"

// rowPlaces are where a row's strings are in its text: each field's
// span, the lower-cased From, From address and Return-Path in the
// search text (equal bounds when empty), and where the lower-cased
// Message-ID starts in it, which free text does not search.
type rowPlaces struct {
	span    [numRowFields]textSpan
	fromAt  [3]textSpan
	msgidAt uint32
}

// narrowSpan is a textSpan in a text of at most math.MaxUint16 bytes.
type narrowSpan struct{ start, end uint16 }

// A row keeps its places in 16 bits each when its text fits (every row
// of the generated quarantines: their texts take about 180 bytes),
// which took the row from 208 bytes to 144, 64 MB at a million
// messages; a longer text, up to maxRowHay (a message naming thousands
// of attachments), keeps them whole in Row.wide.
const maxNarrowText = math.MaxUint16

// setPlaces sets r's places, r's text being set already.
func (r *Row) setPlaces(p *rowPlaces) {
	if len(r.text) > maxNarrowText {
		w := *p
		r.wide = &w
		r.span, r.fromAt, r.msgidAt = [numRowFields]narrowSpan{}, [3]narrowSpan{}, 0
		return
	}
	r.wide = nil
	for i, s := range p.span {
		r.span[i] = narrowSpan{uint16(s.start), uint16(s.end)}
	}
	for i, s := range p.fromAt {
		r.fromAt[i] = narrowSpan{uint16(s.start), uint16(s.end)}
	}
	r.msgidAt = uint16(p.msgidAt)
}

// places returns r's places, whichever way it keeps them.
func (r *Row) places() rowPlaces {
	if r.wide != nil {
		return *r.wide
	}
	var p rowPlaces
	for i, s := range r.span {
		p.span[i] = textSpan{uint32(s.start), uint32(s.end)}
	}
	for i, s := range r.fromAt {
		p.fromAt[i] = textSpan{uint32(s.start), uint32(s.end)}
	}
	p.msgidAt = uint32(r.msgidAt)
	return p
}

// spanOf is where field f is in r's text.
func (r *Row) spanOf(f rowField) textSpan {
	if r.wide != nil {
		return r.wide.span[f]
	}
	s := r.span[f]
	return textSpan{uint32(s.start), uint32(s.end)}
}

// fromPlace is where the i-th sender the from: term searches (the
// From, its address, the Return-Path) is in r's search text.
func (r *Row) fromPlace(i int) textSpan {
	if r.wide != nil {
		return r.wide.fromAt[i]
	}
	s := r.fromAt[i]
	return textSpan{uint32(s.start), uint32(s.end)}
}

// msgidStart is where the lower-cased Message-ID starts in r's search
// text.
func (r *Row) msgidStart() uint32 {
	if r.wide != nil {
		return r.wide.msgidAt
	}
	return uint32(r.msgidAt)
}
