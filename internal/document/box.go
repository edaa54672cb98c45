package document

// Box is an axis-aligned rectangle on a page, normalised to the page size
// (0–1 on both axes) with the origin at the top-left corner: X grows to the
// right and Y grows downwards.
type Box struct {
	X0, Y0, X1, Y1 float64
}

// IsZero reports whether b is the zero Box, which Union treats as empty.
func (b Box) IsZero() bool { return b == Box{} }

// Width returns the horizontal extent of b, or 0 when b is inverted.
func (b Box) Width() float64 { return max(0, b.X1-b.X0) }

// Height returns the vertical extent of b, or 0 when b is inverted.
func (b Box) Height() float64 { return max(0, b.Y1-b.Y0) }

// Area returns the area of b.
func (b Box) Area() float64 { return b.Width() * b.Height() }

// Union returns the smallest box holding both b and o. The zero Box is the
// identity: Box{}.Union(o) == o, so a union can be accumulated from the zero
// value.
func (b Box) Union(o Box) Box {
	switch {
	case b.IsZero():
		return o
	case o.IsZero():
		return b
	}
	return Box{X0: min(b.X0, o.X0), Y0: min(b.Y0, o.Y0), X1: max(b.X1, o.X1), Y1: max(b.Y1, o.Y1)}
}

// Intersect returns the overlap of b and o, or the zero Box when they do not
// overlap.
func (b Box) Intersect(o Box) Box {
	r := Box{X0: max(b.X0, o.X0), Y0: max(b.Y0, o.Y0), X1: min(b.X1, o.X1), Y1: min(b.Y1, o.Y1)}
	if r.X1 <= r.X0 || r.Y1 <= r.Y0 {
		return Box{}
	}
	return r
}

// IoU returns the intersection over union of b and o: 1 for identical boxes,
// 0 for disjoint ones.
func (b Box) IoU(o Box) float64 {
	inter := b.Intersect(o).Area()
	union := b.Area() + o.Area() - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// HOverlap returns the length of the horizontal overlap of b and o (how much
// of their x-ranges they share), or 0 when they share none.
func (b Box) HOverlap(o Box) float64 {
	return max(0, min(b.X1, o.X1)-max(b.X0, o.X0))
}
