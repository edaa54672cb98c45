package processor

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFindDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text     string
		anchored bool
		order    DateOrder
		want     parseResult
	}{
		{"2024-03-01", true, "", parseResult{"2024-03-01", "2024-03-01", false, true}},
		{"2024/3/1", true, "", parseResult{"2024-03-01", "2024/3/1", false, true}},
		{"2024-03-01T10:00:00Z", true, "", parseResult{"2024-03-01", "2024-03-01", false, true}},
		{"01.03.2024", true, "", parseResult{"2024-03-01", "01.03.2024", false, true}},
		{"01/03/2024", true, "", parseResult{"2024-03-01", "01/03/2024", true, true}},
		{"01/03/2024", true, DateOrderDMY, parseResult{"2024-03-01", "01/03/2024", false, true}},
		{"01/03/2024", true, DateOrderMDY, parseResult{"2024-01-03", "01/03/2024", false, true}},
		{"03/25/2024", true, "", parseResult{"2024-03-25", "03/25/2024", false, true}},
		{"03/25/2024", true, DateOrderDMY, parseResult{"2024-03-25", "03/25/2024", true, true}},
		{"25/03/2024", true, "", parseResult{"2024-03-25", "25/03/2024", false, true}},
		{"05/05/2024", true, "", parseResult{"2024-05-05", "05/05/2024", false, true}},
		{"1-3-24", true, "", parseResult{"2024-03-01", "1-3-24", true, true}},
		{"31.12.99", true, "", parseResult{"1999-12-31", "31.12.99", false, true}},
		{"1 March 2024", true, "", parseResult{"2024-03-01", "1 March 2024", false, true}},
		{"1st Mar. 2024", true, "", parseResult{"2024-03-01", "1st Mar. 2024", false, true}},
		{"01-Mar-2024", true, "", parseResult{"2024-03-01", "01-Mar-2024", false, true}},
		{"March 1, 2024", true, "", parseResult{"2024-03-01", "March 1, 2024", false, true}},
		{"Sept 30th, 2024", true, "", parseResult{"2024-09-30", "Sept 30th, 2024", false, true}},
		{"1. März 2024", true, "", parseResult{"2024-03-01", "1. März 2024", false, true}},
		{"12 décembre 2023", true, "", parseResult{"2023-12-12", "12 décembre 2023", false, true}},
		{"Monday, 4 March 2024", true, "", parseResult{"2024-03-04", "Monday, 4 March 2024", false, true}},
		{"issued on 2024-03-01.", false, "", parseResult{"2024-03-01", "2024-03-01", false, true}},
		{"29.02.2024", true, "", parseResult{"2024-02-29", "29.02.2024", false, true}},
		{"29.02.2023", true, "", parseResult{}},
		{"31/04/2024", true, "", parseResult{}},
		{"13/13/2024", true, "", parseResult{}},
		{"1 Smarch 2024", true, "", parseResult{}},
		{"March 2024", true, "", parseResult{}},
		{"1.2.3.4", true, "", parseResult{}},
		{"2024-03-012", true, "", parseResult{}},
		{"12/2024", true, "", parseResult{}},
		{"tomorrow", true, "", parseResult{}},
		{"Date 2024-03-01", true, "", parseResult{}},
	}
	for _, tt := range tests {
		m, ok := findDate(tt.text, tt.anchored, tt.order)
		if diff := cmp.Diff(tt.want, result(tt.text, m, ok)); diff != "" {
			t.Errorf("findDate(%q, anchored %v, order %q) mismatch (-want +got):\n%s", tt.text, tt.anchored, tt.order, diff)
		}
	}
}
