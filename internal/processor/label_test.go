package processor

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheaf-dev/sheaf/internal/document"
)

func TestLabelVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		label string
		want  []string
	}{
		{"Invoice No", []string{"invoice no"}},
		{"  Invoice   No.: ", []string{"invoice no"}},
		{"Invoice #", []string{"invoice #", "invoice#"}},
		{"Invoice#", []string{"invoice#", "invoice #"}},
		{"Total (EUR)", []string{"total (eur)", "total(eur)", "total ( eur )"}},
		{"MONTANT TTC", []string{"montant ttc"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, labelVariants(normalizeLabel(tt.label))); diff != "" {
			t.Errorf("labelVariants(normalizeLabel(%q)) mismatch (-want +got):\n%s", tt.label, diff)
		}
	}
}

func TestFindLabels(t *testing.T) {
	t.Parallel()
	type hit struct {
		Label, Value string
		Delimited    bool
	}
	tests := []struct {
		name   string
		labels []string
		text   string
		want   []hit
	}{
		{"punctuation after the label", []string{"Invoice No"}, "Invoice No.: 1\nINVOICE NO - 2\ninvoice no 3", []hit{
			{"Invoice No", "1", true}, {"INVOICE NO", "2", true}, {"invoice no", "3", false}}},
		{"whole words only", []string{"No"}, "Note No Nos\nINo: x", []hit{{"No", "Nos", false}}},
		{"a longer label wins", []string{"Total", "Total Due"}, "Total Due: 5 Total: 6", []hit{{"Total Due", "5 Total: 6", true}, {"Total", "6", true}}},
		{"a dash that is a sign is the value's", []string{"Total"}, "Total -5", []hit{{"Total", "-5", false}}},
		{"label at the end of a line", []string{"Bill to"}, "Bill to:\nACME", []hit{{"Bill to", "", true}}},
		{"non-ASCII case folding", []string{"ÉCHÉANCE"}, "échéance: 1", []hit{{"échéance", "1", true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			labels, err := compileLabels(tt.labels, "labels")
			if err != nil {
				t.Fatal(err)
			}
			ix := newIndex(document.FromText(tt.text))
			var got []hit
			for _, h := range ix.findLabels(labels) {
				line := ix.lines[ix.tokens[ix.tokenAt(h.start)].line]
				got = append(got, hit{ix.text[h.start:h.end], ix.text[h.valueStart:line.end], h.delimited})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findLabels mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
