package demo

import (
	"archive/zip"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
)

// The file contents below are small but real: each opens in the program
// its type names, and each carries the magic bytes a scanner looks for.

// pdfFile returns a one-page PDF showing title.
func pdfFile(title string) []byte {
	text := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(title)
	stream := fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// pngFile returns a small PNG: a coloured gradient that varies with seed.
func pngFile(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := range 24 {
		for x := range 32 {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), uint8(seed * 37), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic("demo: png: " + err.Error())
	}
	return b.Bytes()
}

// exeFile returns the start of a Windows PE executable: the MZ header, the
// DOS stub and a PE signature. It does not run; it only has to look like
// what it is to a magic-byte check.
func exeFile(tag string) []byte {
	b := make([]byte, 512)
	copy(b, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
	b[0x3c] = 0x80 // e_lfanew: the PE header follows at 0x80
	copy(b[0x40:], "\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run in DOS mode.\r\r\n$")
	copy(b[0x80:], "PE\x00\x00\x4c\x01\x03\x00")
	copy(b[0x100:], "mxaudit demo sample, not a program: "+tag)
	return b
}

// ooxmlFile returns an Office Open XML package. kind is "docx", "docm" or
// "xlsx"; a docm carries word/vbaProject.bin, the VBA project a macro
// scanner looks for.
func ooxmlFile(kind, text string) []byte {
	var files [][2]string
	switch kind {
	case "xlsx":
		files = [][2]string{
			{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
				`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
			{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
				`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
			{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
				`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
			{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
				`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
			{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
				`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>` + xmlEscape(text) + `</t></is></c></row></sheetData></worksheet>`},
		}
	default:
		mainType := "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
		if kind == "docm" {
			mainType = "application/vnd.ms-word.document.macroEnabled.main+xml"
		}
		types := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>`
		if kind == "docm" {
			types += `<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>`
		}
		types += `<Override PartName="/word/document.xml" ContentType="` + mainType + `"/></Types>`
		docRels := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
		if kind == "docm" {
			docRels += `<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>`
		}
		docRels += `</Relationships>`
		files = [][2]string{
			{"[Content_Types].xml", types},
			{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
				`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
			{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
				`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>` + xmlEscape(text) + `</w:t></w:r></w:p></w:body></w:document>`},
			{"word/_rels/document.xml.rels", docRels},
		}
		if kind == "docm" {
			files = append(files, [2]string{"word/vbaProject.bin", vbaProject()})
		}
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		fh := &zip.FileHeader{Name: f[0], Method: zip.Deflate}
		setDOSTime(fh, DefaultBase)
		w, err := zw.CreateHeader(fh)
		if err == nil {
			_, err = w.Write([]byte(f[1]))
		}
		if err != nil {
			panic("demo: ooxml: " + err.Error())
		}
	}
	if err := zw.Close(); err != nil {
		panic("demo: ooxml: " + err.Error())
	}
	return b.Bytes()
}

// vbaProject returns bytes that start like a VBA project: an OLE compound
// file header followed by the stream names a macro scanner greps for.
func vbaProject() string {
	hdr := "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + strings.Repeat("\x00", 16) + "\x3e\x00\x03\x00\xfe\xff\x09\x00"
	body := "VBA\x00PROJECT\x00dir\x00ThisDocument\x00Attribute VB_Name = \"ThisDocument\"\r\n" +
		"Sub AutoOpen()\r\n  Shell \"powershell -nop -w hidden -c IEX(demo)\"\r\nEnd Sub\r\n"
	return hdr + strings.Repeat("\x00", 512-len(hdr)) + body
}

// xmlEscape escapes text for XML character data.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
