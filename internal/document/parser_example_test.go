package document

import (
	"context"
	"errors"
	"fmt"
)

func ExampleParser() {
	p, err := NewParser(ParserOptions{PDFInstances: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close()

	// A one-page PDF drawing "BT /F1 12 Tf 72 720 Td (Invoice No: INV-1) Tj ET"
	// in Helvetica: 72 points from the left, 720 points up from the bottom.
	pdf := buildPDF(pdfPage{Content: pdfText(72, 720, 12, "Invoice No: INV-1")})
	doc, err := p.Parse(context.Background(), pdf)
	if err != nil {
		panic(err)
	}
	page := doc.Pages[0]
	fmt.Printf("%s document, %d page, %.0f × %.0f pt\n", doc.Kind, len(doc.Pages), page.Width, page.Height)
	for _, w := range page.Words {
		fmt.Printf("%-8s x %.3f–%.3f, y %.3f–%.3f (from the top), %s\n", w.Text, w.Box.X0, w.Box.X1, w.Box.Y0, w.Box.Y1, w.Source)
	}

	// Without a Recognizer, scans and images cannot be read.
	_, err = p.Parse(context.Background(), []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	var perr *Error
	if errors.As(err, &perr) {
		fmt.Println(perr.Code)
	}
	// Output:
	// pdf document, 1 page, 612 × 792 pt
	// Invoice  x 0.118–0.180, y 0.077–0.094 (from the top), text_layer
	// No:      x 0.185–0.216, y 0.077–0.094 (from the top), text_layer
	// INV-1    x 0.221–0.271, y 0.077–0.094 (from the top), text_layer
	// OCR_UNAVAILABLE
}
