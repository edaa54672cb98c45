package document_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/sheaf-dev/sheaf/internal/document"
)

func ExampleParse() {
	doc, err := document.Parse(context.Background(), []byte("Invoice No:  INV-001\n\nTotal\t1.234,56 EUR\n"), document.ParseOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s document, %d page, %.0f × %.0f pt\n", doc.Kind, len(doc.Pages), doc.Pages[0].Width, doc.Pages[0].Height)
	for _, l := range doc.Pages[0].Lines {
		fmt.Printf("%q at x %.3f–%.3f, y %.3f\n", l.Text, l.Box.X0, l.Box.X1, l.Box.Y0)
	}
	_, err = document.Parse(context.Background(), []byte("%PDF-1.7\n..."), document.ParseOptions{})
	var perr *document.Error
	if errors.As(err, &perr) {
		fmt.Println(perr.Code, "-", perr.Message)
	}
	// Output:
	// text document, 1 page, 612 × 792 pt
	// "Invoice No: INV-001" at x 0.000–0.235, y 0.000
	// "Total 1.234,56 EUR" at x 0.000–0.235, y 0.030
	// UNSUPPORTED_INPUT - PDF parsing is not available yet
}

func ExampleDetect() {
	for _, data := range [][]byte{[]byte("%PDF-1.7"), []byte("\x89PNG\r\n\x1a\n"), []byte("plain text"), []byte("PK\x03\x04")} {
		f := document.Detect(data)
		fmt.Printf("%s: %s (kind %q)\n", f.MIME, f.Name, f.Kind)
	}
	// Output:
	// application/pdf: PDF document (kind "pdf")
	// image/png: PNG image (kind "image")
	// text/plain; charset=utf-8: UTF-8 text (kind "text")
	// application/zip: ZIP archive (kind "")
}
