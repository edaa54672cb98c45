package processor

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBoundaryF1(t *testing.T) {
	t.Parallel()
	truth := []Segment{seg("invoice", 1, 2), seg("receipt", 3, 3), seg("contract", 4, 7)}
	type scores struct{ P, R, F1 float64 }
	tests := []struct {
		name      string
		predicted []Segment
		truth     []Segment
		want      scores
	}{
		{"exact", truth, truth, scores{1, 1, 1}},
		{"classes do not matter", []Segment{seg("a", 1, 2), seg("b", 3, 3), seg("c", 4, 7)}, truth, scores{1, 1, 1}},
		{"one missed", []Segment{seg("invoice", 1, 3), seg("contract", 4, 7)}, truth, scores{1, 0.5, 2.0 / 3}},
		{"one extra", []Segment{seg("invoice", 1, 1), seg("invoice", 2, 2), seg("receipt", 3, 3), seg("contract", 4, 7)}, truth, scores{2.0 / 3, 1, 0.8}},
		{"none predicted", []Segment{seg("invoice", 1, 7)}, truth, scores{1, 0, 0}},
		{"single document found whole", []Segment{seg("invoice", 1, 3)}, []Segment{seg("invoice", 1, 3)}, scores{1, 1, 1}},
		{"single document cut", []Segment{seg("invoice", 1, 1), seg("invoice", 2, 3)}, []Segment{seg("invoice", 1, 3)}, scores{0, 1, 0}},
		{"nothing at all", nil, nil, scores{1, 1, 1}},
	}
	for _, tt := range tests {
		var got scores
		got.P, got.R, got.F1 = BoundaryF1(tt.predicted, tt.truth)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: scores (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestBoundaryCounts(t *testing.T) {
	t.Parallel()
	tp, fp, fn := BoundaryCounts([]Segment{seg("a", 1, 1), seg("a", 2, 4), seg("a", 5, 5)}, []Segment{seg("a", 1, 1), seg("a", 2, 3), seg("a", 4, 5)})
	if diff := cmp.Diff([3]int{1, 1, 1}, [3]int{tp, fp, fn}); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}
