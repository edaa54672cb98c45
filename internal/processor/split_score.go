package processor

// BoundaryCounts compares the document boundaries of two splits of one
// file — the start pages after page 1 — and counts the predicted
// boundaries that are true (tp), those that are not (fp) and the true ones
// that were missed (fn). Summing the counts over files gives a
// micro-averaged score.
func BoundaryCounts(predicted, truth []Segment) (tp, fp, fn int) {
	p, t := boundarySet(predicted), boundarySet(truth)
	for b := range p {
		if t[b] {
			tp++
		} else {
			fp++
		}
	}
	for b := range t {
		if !p[b] {
			fn++
		}
	}
	return tp, fp, fn
}

// BoundaryF1 scores predicted against truth by their boundaries (see
// BoundaryCounts): precision is the share of predicted boundaries that are
// true, recall the share of true boundaries predicted, f1 their harmonic
// mean. With no predicted boundaries precision is 1, with no true ones
// recall is 1, so a single-document file split as one scores 1, 1, 1.
func BoundaryF1(predicted, truth []Segment) (precision, recall, f1 float64) {
	return PrecisionRecallF1(BoundaryCounts(predicted, truth))
}

// PrecisionRecallF1 returns the precision, recall and F1 of counts of true positives,
// false positives and false negatives, with BoundaryF1's conventions for
// empty sets.
func PrecisionRecallF1(tp, fp, fn int) (precision, recall, f1 float64) {
	precision, recall = 1, 1
	if tp+fp > 0 {
		precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		recall = float64(tp) / float64(tp+fn)
	}
	if precision+recall > 0 {
		f1 = 2 * precision * recall / (precision + recall)
	}
	return precision, recall, f1
}

// boundarySet returns the start pages after page 1 of segs.
func boundarySet(segs []Segment) map[int]bool {
	set := make(map[int]bool, len(segs))
	for _, s := range segs {
		if s.StartPage > 1 {
			set[s.StartPage] = true
		}
	}
	return set
}
