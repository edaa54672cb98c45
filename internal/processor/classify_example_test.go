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
