package processor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sheaf-dev/sheaf/internal/document"
	"github.com/sheaf-dev/sheaf/internal/processor"
)

func Example() {
	config := json.RawMessage(`{"fields": [
		{"name": "invoice_number", "labels": ["Invoice No"], "regex": "INV-\\d+", "required": true},
		{"name": "total", "type": "money", "labels": ["Total"], "currency": "EUR"},
		{"name": "date", "type": "date", "labels": ["Date"], "date_order": "DMY"},
		{"name": "po_number", "labels": ["PO Number"], "required": true}
	]}`)
	p, err := processor.New(processor.TypeExtract, config)
	if err != nil {
		panic(err)
	}
	doc := document.FromText("Invoice No: INV-0042        Date: 01/03/2024\n\nTotal:   1.234,56\n")
	out, err := p.Process(context.Background(), doc)
	if err != nil {
		panic(err)
	}
	for _, f := range out.Fields {
		fmt.Printf("%s = %v (confidence %.2f, review %v %v)\n", f.Name, f.Value, f.Confidence, f.NeedsReview, f.ReviewReasons)
	}
	fmt.Println("needs review:", out.NeedsReview)
	// Output:
	// invoice_number = INV-0042 (confidence 0.95, review false [])
	// total = {1234.56 EUR} (confidence 0.85, review false [])
	// date = 2024-03-01 (confidence 0.85, review false [])
	// po_number = <nil> (confidence 0.00, review true [missing_required])
	// needs review: true
}

func ExampleValidateConfig() {
	err := processor.ValidateConfig(processor.TypeExtract, json.RawMessage(`{"fields": [{"name": "total", "type": "amount", "labels": ["Total"]}]}`))
	var cerr *processor.ConfigError
	if errors.As(err, &cerr) {
		fmt.Println(cerr.Field + ": " + cerr.Message)
	}
	// Output:
	// fields[0].type: unknown type "amount"; want string, number, date or money
}
