package document

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkDocument reports every broken invariant of a parsed document.
func checkDocument(t *testing.T, doc *Document) {
	t.Helper()
	if len(doc.Pages) == 0 {
		t.Fatal("no pages")
	}
	for pi, p := range doc.Pages {
		if p.Number != pi+1 || p.Width <= 0 || p.Height <= 0 {
			t.Errorf("page %d: Number %d, size %v × %v", pi, p.Number, p.Width, p.Height)
		}
		for wi, w := range p.Words {
			b := w.Box
			if !(0 <= b.X0 && b.X0 < b.X1 && b.X1 <= 1 && 0 <= b.Y0 && b.Y0 < b.Y1 && b.Y1 <= 1) {
				t.Errorf("page %d word %d %q: box %v is not inside the page", pi, wi, w.Text, b)
			}
			if w.Text == "" || strings.ContainsAny(w.Text, " \t\n\r\f") {
				t.Errorf("page %d word %d: text %q is empty or has white space", pi, wi, w.Text)
			}
			if w.Line < 0 || w.Line >= len(p.Lines) || !containsInt(p.Lines[w.Line].Words, wi) {
				t.Errorf("page %d word %d: line %d does not list it", pi, wi, w.Line)
			}
		}
		for li, l := range p.Lines {
			if len(l.Words) == 0 {
				t.Errorf("page %d line %d has no words", pi, li)
			}
		}
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func FuzzFromText(f *testing.F) {
	for _, s := range []string{"", "Invoice No: 42\nTotal\t9.50", "a\r\n\fb\f", "\uFEFF\t\t€ x", "\xff\xfe", strings.Repeat("ab ", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc := FromText(s)
		checkDocument(t, doc)
		text := strings.TrimRight(doc.Text(), "\f")
		if utf8.ValidString(s) && FromText(text).Text() != text {
			t.Errorf("Text does not round-trip through FromText: %q", text)
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "hello", "%PDF-1.4", "\xff\xfeh\x00", "\xfe\xff\xd8\x00", "PK\x03\x04", "Gr\xf6\xdfe"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(context.Background(), data, ParseOptions{})
		var perr *Error
		switch {
		case err == nil:
			checkDocument(t, doc)
			if doc.Kind != KindText || strings.TrimSpace(doc.Text()) == "" {
				t.Errorf("Parse(%q) gave a %s document with text %q", data, doc.Kind, doc.Text())
			}
		case !errors.As(err, &perr) || perr.Code == "" || perr.Message == "":
			t.Errorf("Parse(%q) = %v, want a *document.Error with a code and a message", data, err)
		}
	})
}
