package processor

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parseResult is what a value parser returned, for comparison.
type parseResult struct {
	Value     any
	Text      string
	Defaulted bool
	OK        bool
}

// result turns a parser's answer on text into a parseResult.
func result(text string, m valueMatch, ok bool) parseResult {
	if !ok {
		return parseResult{}
	}
	return parseResult{Value: m.value, Text: text[m.start:m.end], Defaulted: m.defaulted, OK: true}
}

func TestFindNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text     string
		anchored bool
		decimal  byte
		want     parseResult
	}{
		{"42", true, 0, parseResult{42.0, "42", false, true}},
		{"1234.5", true, 0, parseResult{1234.5, "1234.5", false, true}},
		{"1,234.56", true, 0, parseResult{1234.56, "1,234.56", false, true}},
		{"1.234,56", true, 0, parseResult{1234.56, "1.234,56", false, true}},
		{"1 234,56 EUR", true, 0, parseResult{1234.56, "1 234,56", false, true}},
		{"1\u00a0234\u00a0567,8", true, 0, parseResult{1234567.8, "1\u00a0234\u00a0567,8", false, true}},
		{"1'234.50", true, 0, parseResult{1234.5, "1'234.50", false, true}},
		{"1.234.567", true, 0, parseResult{1234567.0, "1.234.567", false, true}},
		{"1,23,456.00", true, 0, parseResult{123456.0, "1,23,456.00", false, true}},
		{"12,5", true, 0, parseResult{12.5, "12,5", false, true}},
		{"0,125", true, 0, parseResult{0.125, "0,125", false, true}},
		{"1234,567", true, 0, parseResult{1234.567, "1234,567", false, true}},
		{"-5 pcs", true, 0, parseResult{-5.0, "-5", false, true}},
		{"−7", true, 0, parseResult{-7.0, "−7", false, true}},
		{"(1,234.00)", true, 0, parseResult{-1234.0, "(1,234.00)", false, true}},
		{"19%", true, 0, parseResult{19.0, "19", false, true}},
		{"5, then 6", true, 0, parseResult{5.0, "5", false, true}},
		{"end of sentence 12.", false, 0, parseResult{12.0, "12", false, true}},
		{"1,234", true, 0, parseResult{1234.0, "1,234", true, true}},
		{"1.234", true, 0, parseResult{1.234, "1.234", true, true}},
		{"1,234", true, ',', parseResult{1.234, "1,234", false, true}},
		{"1.234", true, ',', parseResult{1234.0, "1.234", false, true}},
		{"1.234,5", true, '.', parseResult{}},
		{"2024 123", true, 0, parseResult{2024.0, "2024", false, true}},
		{"1 2345", true, 0, parseResult{1.0, "1", false, true}},
		{"Qty 5", false, 0, parseResult{5.0, "5", false, true}},
		{"INV-001", false, 0, parseResult{1.0, "001", false, true}},
		{"A1 B2", false, 0, parseResult{}},
		{"Qty 5", true, 0, parseResult{}},
		{"2024-03-01", true, 0, parseResult{}},
		{"1.2.3", true, 0, parseResult{}},
		{"12:30", true, 0, parseResult{}},
		{"1,2,3", true, 0, parseResult{}},
		{"1.234,567.8", true, 0, parseResult{}},
		{"99999999999999999999999999999999999999999999999", true, 0, parseResult{}},
		{"", true, 0, parseResult{}},
	}
	for _, tt := range tests {
		m, ok := findNumber(tt.text, tt.anchored, tt.decimal)
		if diff := cmp.Diff(tt.want, result(tt.text, m, ok)); diff != "" {
			t.Errorf("findNumber(%q, anchored %v, decimal %q) mismatch (-want +got):\n%s", tt.text, tt.anchored, tt.decimal, diff)
		}
	}
}
