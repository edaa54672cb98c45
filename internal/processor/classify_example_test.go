package processor_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sheaf-dev/sheaf/internal/document"
	"github.com/sheaf-dev/sheaf/internal/processor"
)

func Example_classify() {
	p, err := processor.New(processor.TypeClassify, json.RawMessage(`{"preset": "standard"}`))
	if err != nil {
		panic(err)
	}
	doc := document.FromText("SALES RECEIPT\nCappuccino   3.95\nTOTAL        3.95\nCash         5.00\nChange       1.05\n")
	out, err := p.Process(context.Background(), doc)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s (confidence %.2f)\n", out.Class.Class, out.Class.Confidence)
	for _, e := range out.Class.Evidence {
		fmt.Printf("  %q on page %d at %v\n", e.Text, e.Page, e.BBox)
	}
	// Output:
	// receipt (confidence 0.81)
	//   "SALES RECEIPT" on page 1 at [0 0 0.1529 0.0152]
	//   "Cash" on page 1 at [0 0.0455 0.0471 0.0606]
	//   "Change" on page 1 at [0 0.0606 0.0706 0.0758]
}

func Example_split() {
	p, err := processor.New(processor.TypeSplit, json.RawMessage(`{
		"classify": "standard",
		"extract": {"invoice": {"fields": [{"name": "total", "type": "money", "labels": ["Total"], "currency": "EUR"}]}}
	}`))
	if err != nil {
		panic(err)
	}
	// Three pages of a PDF, built from text here: an invoice on two pages,
	// then a receipt.
	doc := &document.Document{Kind: document.KindPDF}
	for i, text := range []string{
		"INVOICE\nInvoice No: A-17\nItems …\n\nPage 1 of 2",
		"Total: 120.00\n\nPage 2 of 2",
		"RECEIPT\nCash 20.00\nChange 3.50",
	} {
		page := document.FromText(text).Pages[0]
		page.Number = i + 1
		doc.Pages = append(doc.Pages, page)
	}
	out, err := p.Process(context.Background(), doc)
	if err != nil {
		panic(err)
	}
	for _, s := range out.Segments {
		fmt.Printf("pages %d-%d: %s (confidence %.2f)\n", s.StartPage, s.EndPage, s.Class, s.Confidence)
		if s.Output != nil {
			f := s.Output.Fields[0]
			fmt.Printf("  %s = %v on page %d\n", f.Name, f.Value, f.Provenance[0].Page)
		}
	}
	// Output:
	// pages 1-2: invoice (confidence 0.62)
	//   total = {120 EUR} on page 2
	// pages 3-3: receipt (confidence 0.75)
}
