package imap

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"mime"
	"strconv"
	"strings"

	goimap "github.com/emersion/go-imap/v2"

	"mxaudit/model"
)

// maxDepth bounds the MIME nesting a summary follows; deeper structures
// are an attack on parsers, not mail.
const maxDepth = 32

// leaf is one single part of a message's structure and what the summary
// fetches of it.
type leaf struct {
	path     []int
	key      string // section number, "1.2"
	bs       *goimap.BodyStructureSinglePart
	info     model.PartInfo
	wantBody bool // its body is fetched
	wantMIME bool // its real MIME header is fetched
}

// leaves lists the single parts of bs in order, with their section paths.
// A message that is not multipart has one leaf, part 1.
func leaves(bs goimap.BodyStructure) ([]leaf, error) {
	var out []leaf
	var walk func(b goimap.BodyStructure, path []int) error
	walk = func(b goimap.BodyStructure, path []int) error {
		if len(path) > maxDepth {
			return errors.New("MIME structure nested deeper than 32 levels")
		}
		switch b := b.(type) {
		case *goimap.BodyStructureSinglePart:
			p := append([]int(nil), path...)
			if len(p) == 0 {
				p = []int{1}
			}
			out = append(out, leaf{path: p, key: pathKey(p), bs: b, info: partInfo(pathKey(p), b)})
		case *goimap.BodyStructureMultiPart:
			for i, child := range b.Children {
				if err := walk(child, append(path[:len(path):len(path)], i+1)); err != nil {
					return err
				}
			}
		default:
			return errors.New("unknown body structure")
		}
		return nil
	}
	if bs == nil {
		return nil, errors.New("the server sent no BODYSTRUCTURE")
	}
	return out, walk(bs, nil)
}

func pathKey(path []int) string {
	parts := make([]string, len(path))
	for i, n := range path {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

// partInfo describes a single part for the caller's need function.
func partInfo(key string, bs *goimap.BodyStructureSinglePart) model.PartInfo {
	info := model.PartInfo{
		Path:        key,
		ContentType: bs.MediaType(),
		Filename:    bs.Filename(),
		Encoding:    strings.ToLower(bs.Encoding),
		Size:        int64(bs.Size),
	}
	d := bs.Disposition()
	if d != nil {
		info.Disposition = strings.ToLower(d.Value)
	}
	if info.Filename == "" && d != nil {
		info.Filename = rfc2231Param(d.Params, "filename")
	}
	if info.Filename == "" {
		info.Filename = rfc2231Param(bs.Params, "name")
	}
	return info
}

// rfc2231Param decodes an RFC 2231 parameter (key*=, key*0*=, ...) that
// the server passed through undecoded, as Dovecot does. It returns "" when
// there is none or it cannot be decoded.
func rfc2231Param(params map[string]string, key string) string {
	var sb strings.Builder
	sb.WriteString("x/y")
	for k, v := range params {
		if strings.HasPrefix(k, key+"*") {
			sb.WriteString("; " + k + "=" + quoteParam(v))
		}
	}
	_, decoded, err := mime.ParseMediaType(sb.String())
	if err != nil {
		return ""
	}
	return decoded[key]
}

// quoteParam renders v as a MIME parameter value: a token (which an RFC
// 2231 extended value is) as is, anything else quoted.
func quoteParam(v string) string {
	if isToken(v) {
		return v
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", " ", "\n", " ")
	return `"` + r.Replace(v) + `"`
}

// parts holds what the second round trip fetched for one message, by
// section number.
type parts struct {
	mime map[string][]byte
	body map[string][]byte
}

// rebuild assembles a MIME message from the real header, the structure
// and the fetched parts. Multipart levels get fresh random boundaries (and
// the top header a matching Content-Type), so the skeleton parses the same
// whatever tricks the original boundaries played. Parts not fetched get
// an empty body and the ElidedHeader; any ElidedHeader the mail carried is
// removed first.
func rebuild(header []byte, bs goimap.BodyStructure, p parts) []byte {
	var buf bytes.Buffer
	switch bs := bs.(type) {
	case *goimap.BodyStructureSinglePart:
		body, ok := p.body["1"]
		buf.Write(stripFields(header, model.ElidedHeader))
		if !ok {
			writeField(&buf, model.ElidedHeader, strconv.FormatUint(uint64(bs.Size), 10))
		}
		buf.WriteString("\r\n")
		buf.Write(body)
	case *goimap.BodyStructureMultiPart:
		boundary := newBoundary()
		buf.Write(stripFields(header, model.ElidedHeader, "Content-Type"))
		writeField(&buf, "Content-Type", multipartType(bs, boundary))
		buf.WriteString("\r\n")
		writeMultipart(&buf, bs, nil, boundary, p)
	}
	return buf.Bytes()
}

func writeMultipart(buf *bytes.Buffer, mp *goimap.BodyStructureMultiPart, path []int, boundary string, p parts) {
	for i, child := range mp.Children {
		childPath := append(path[:len(path):len(path)], i+1)
		buf.WriteString("--" + boundary + "\r\n")
		switch child := child.(type) {
		case *goimap.BodyStructureSinglePart:
			writeLeaf(buf, child, pathKey(childPath), p)
		case *goimap.BodyStructureMultiPart:
			nested := newBoundary()
			writeField(buf, "Content-Type", multipartType(child, nested))
			buf.WriteString("\r\n")
			writeMultipart(buf, child, childPath, nested, p)
		}
		buf.WriteString("\r\n")
	}
	buf.WriteString("--" + boundary + "--\r\n")
}

func writeLeaf(buf *bytes.Buffer, bs *goimap.BodyStructureSinglePart, key string, p parts) {
	if h, ok := p.mime[key]; ok {
		buf.Write(stripFields(h, model.ElidedHeader))
	} else {
		synthHeader(buf, bs)
	}
	body, ok := p.body[key]
	if !ok {
		writeField(buf, model.ElidedHeader, strconv.FormatUint(uint64(bs.Size), 10))
	}
	buf.WriteString("\r\n")
	buf.Write(body)
}

// synthHeader writes a part header from the structure, for unnamed parts
// whose real header was not fetched.
func synthHeader(buf *bytes.Buffer, bs *goimap.BodyStructureSinglePart) {
	mt := bs.MediaType()
	if !isToken(bs.Type) || !isToken(bs.Subtype) {
		mt = "application/octet-stream"
	}
	ct := mime.FormatMediaType(mt, bs.Params)
	if ct == "" {
		ct = mt
	}
	writeField(buf, "Content-Type", ct)
	if isToken(bs.Encoding) {
		writeField(buf, "Content-Transfer-Encoding", strings.ToLower(bs.Encoding))
	}
	if d := bs.Disposition(); d != nil && isToken(d.Value) {
		cd := mime.FormatMediaType(strings.ToLower(d.Value), d.Params)
		if cd == "" {
			cd = strings.ToLower(d.Value)
		}
		writeField(buf, "Content-Disposition", cd)
	}
}

// multipartType is the Content-Type value of a multipart level with our
// boundary in place of the original.
func multipartType(mp *goimap.BodyStructureMultiPart, boundary string) string {
	sub := strings.ToLower(mp.Subtype)
	if !isToken(sub) {
		sub = "mixed"
	}
	params := map[string]string{}
	if mp.Extended != nil {
		for k, v := range mp.Extended.Params {
			params[k] = v
		}
	}
	params["boundary"] = boundary
	if ct := mime.FormatMediaType("multipart/"+sub, params); ct != "" {
		return ct
	}
	return mime.FormatMediaType("multipart/"+sub, map[string]string{"boundary": boundary})
}

func writeField(buf *bytes.Buffer, name, value string) {
	buf.WriteString(name + ": " + value + "\r\n")
}

// newBoundary returns a boundary no mail can contain by chance or design.
func newBoundary() string {
	var b [18]byte
	rand.Read(b[:])
	return "=_mxaudit_" + hex.EncodeToString(b[:])
}

// isToken reports whether s is a non-empty RFC 2045 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`()<>@,;:\"/[]?=`, r) {
			return false
		}
	}
	return true
}

// stripFields returns header without its terminating blank line and
// without the fields named in drop (case-insensitive), continuation lines
// included. Every line it returns ends with a line break.
func stripFields(header []byte, drop ...string) []byte {
	var out bytes.Buffer
	skipping := false
	for len(header) > 0 {
		line := header
		if i := bytes.IndexByte(header, '\n'); i >= 0 {
			line, header = header[:i+1], header[i+1:]
		} else {
			header = nil
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			break // end of header
		}
		if line[0] == ' ' || line[0] == '\t' {
			if !skipping {
				out.Write(line)
			}
		} else {
			skipping = false
			if name, _, ok := bytes.Cut(line, []byte(":")); ok {
				name = bytes.TrimRight(name, " \t")
				for _, d := range drop {
					if strings.EqualFold(string(name), d) {
						skipping = true
					}
				}
			}
			if !skipping {
				out.Write(line)
			}
		}
		if !skipping && line[len(line)-1] != '\n' {
			out.WriteString("\r\n")
		}
	}
	return out.Bytes()
}
