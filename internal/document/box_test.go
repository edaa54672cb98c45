package document

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestBox(t *testing.T) {
	t.Parallel()
	a := Box{X0: 0, Y0: 0, X1: 0.5, Y1: 0.5}
	tests := []struct {
		name          string
		b             Box
		wantUnion     Box
		wantIntersect Box
		wantIoU       float64
		wantHOverlap  float64
	}{
		{"identical", a, a, a, 1, 0.5},
		{"half overlap", Box{X0: 0.25, Y0: 0, X1: 0.75, Y1: 0.5}, Box{X0: 0, Y0: 0, X1: 0.75, Y1: 0.5}, Box{X0: 0.25, Y0: 0, X1: 0.5, Y1: 0.5}, 1.0 / 3, 0.25},
		{"disjoint below", Box{X0: 0.1, Y0: 0.6, X1: 0.2, Y1: 0.7}, Box{X0: 0, Y0: 0, X1: 0.5, Y1: 0.7}, Box{}, 0, 0.1},
		{"disjoint right", Box{X0: 0.6, Y0: 0, X1: 0.7, Y1: 0.1}, Box{X0: 0, Y0: 0, X1: 0.7, Y1: 0.5}, Box{}, 0, 0},
		{"zero box is the union identity", Box{}, a, Box{}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := []any{a.Union(tt.b), a.Intersect(tt.b), a.IoU(tt.b), a.HOverlap(tt.b)}
			want := []any{tt.wantUnion, tt.wantIntersect, tt.wantIoU, tt.wantHOverlap}
			if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("Union, Intersect, IoU, HOverlap mismatch (-want +got):\n%s", diff)
			}
			if u := tt.b.Union(a); u != a.Union(tt.b) {
				t.Errorf("Union is not symmetric: %v vs %v", u, a.Union(tt.b))
			}
		})
	}
}
