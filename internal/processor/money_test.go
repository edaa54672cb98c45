package processor

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFindMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text     string
		anchored bool
		def      string
		want     parseResult
	}{
		{"1.234,56 EUR", true, "", parseResult{Money{1234.56, "EUR"}, "1.234,56 EUR", false, true}},
		{"EUR 1,234.56", true, "", parseResult{Money{1234.56, "EUR"}, "EUR 1,234.56", false, true}},
		{"EUR1,234.56", true, "", parseResult{Money{1234.56, "EUR"}, "EUR1,234.56", false, true}},
		{"€1.234,56", true, "", parseResult{Money{1234.56, "EUR"}, "€1.234,56", false, true}},
		{"1 234,56 € incl. VAT", true, "", parseResult{Money{1234.56, "EUR"}, "1 234,56 €", false, true}},
		{"£12.50", true, "", parseResult{Money{12.5, "GBP"}, "£12.50", false, true}},
		{"-$12.00", true, "USD", parseResult{Money{-12, "USD"}, "-$12.00", false, true}},
		{"$-12.00", true, "USD", parseResult{Money{-12, "USD"}, "$-12.00", false, true}},
		{"US$ 99.90", true, "", parseResult{Money{99.9, "USD"}, "US$ 99.90", false, true}},
		{"$5.00", true, "CAD", parseResult{Money{5, "CAD"}, "$5.00", false, true}},
		{"$5.00", true, "EUR", parseResult{Money{5, "USD"}, "$5.00", true, true}},
		{"316,83 PLN", true, "", parseResult{Money{316.83, "PLN"}, "316,83 PLN", false, true}},
		{"50 zł", true, "", parseResult{Money{50, "PLN"}, "50 zł", false, true}},
		{"CHF 1'250.00", true, "", parseResult{Money{1250, "CHF"}, "CHF 1'250.00", false, true}},
		{"Rs.1,23,456", true, "", parseResult{Money{123456, "INR"}, "Rs.1,23,456", true, true}},
		{"₹1,23,456.00", true, "", parseResult{Money{123456, "INR"}, "₹1,23,456.00", false, true}},
		{"100.00", true, "EUR", parseResult{Money{100, "EUR"}, "100.00", false, true}},
		{"100.00", true, "", parseResult{Money{100, ""}, "100.00", false, true}},
		{"100 pcs", true, "EUR", parseResult{Money{100, "EUR"}, "100", false, true}},
		{"100 EURO", true, "", parseResult{Money{100, ""}, "100", false, true}},
		{"due: 19,00 EUR", false, "", parseResult{Money{19, "EUR"}, "19,00 EUR", false, true}},
		{"VAT 19.00", true, "EUR", parseResult{}},
		{"EUR", true, "EUR", parseResult{}},
		{"ABC 12", true, "", parseResult{}},
	}
	for _, tt := range tests {
		m, ok := findMoney(tt.text, tt.anchored, 0, tt.def)
		if diff := cmp.Diff(tt.want, result(tt.text, m, ok)); diff != "" {
			t.Errorf("findMoney(%q, anchored %v, currency %q) mismatch (-want +got):\n%s", tt.text, tt.anchored, tt.def, diff)
		}
	}
}
