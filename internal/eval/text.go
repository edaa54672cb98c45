package eval

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteText writes the report as tables: one row per set, the speed by
// text kind, the targets with PASS/MISS, the fields not attempted and the
// setup notes; with verbose, one line per document and one per missed
// field.
func (rep *Report) WriteText(w io.Writer, verbose bool) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "sheaf eval %s: %d documents, concurrency %d, %.1fs\n\n", rep.Corpus, len(rep.Documents), rep.Concurrency, rep.Seconds)
	rep.writeSets(ew)
	rep.writeSpeed(ew)
	fmt.Fprintln(ew, "\ntargets")
	for _, t := range rep.Targets {
		show := num
		if t.Percent {
			show = pct
		}
		fmt.Fprintf(ew, "  %-4s  %s ≥ %s: %s (%s)\n", t.Status, t.Name, show(&t.Goal), show(t.Value), t.Basis)
	}
	rep.writeNotAttempted(ew)
	rep.writeFailures(ew)
	if len(rep.Notes) > 0 {
		fmt.Fprintln(ew, "\nnotes")
		for _, n := range rep.Notes {
			fmt.Fprintln(ew, "  "+n)
		}
	}
	if verbose {
		fmt.Fprintln(ew, "\ndocuments")
		for i := range rep.Documents {
			writeDocument(ew, &rep.Documents[i])
		}
	}
	return ew.err
}

// writeSets writes the table of sets.
func (rep *Report) writeSets(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "set\tdocs\tfailed\tfields exact\tIoU≥0.5\taccuracy\tsplit F1\tpages\tpages/s\tfailures by code")
	for _, s := range rep.Sets {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%d\t%.2f\t%s\n", s.Set, s.Documents, s.Failed,
			ratio(s.Exact, s.Fields), ratio(s.IoUHits, s.Boxed), accuracy(s), num(s.F1), s.Pages, s.PagesPerSecond, failureList(s.Failures))
	}
	tw.Flush()
	for _, s := range rep.Sets {
		var extra []string
		if s.NoTemplate > 0 {
			extra = append(extra, fmt.Sprintf("%d without a matching template", s.NoTemplate))
		}
		if s.Cells > 0 {
			extra = append(extra, fmt.Sprintf("line-item cells %d/%d exact", s.CellsExact, s.Cells))
		}
		if s.F1 != nil {
			extra = append(extra, fmt.Sprintf("boundaries tp %d fp %d fn %d (precision %s, recall %s)", s.TP, s.FP, s.FN, num(s.Precision), num(s.Recall)))
		}
		fmt.Fprintf(w, "  %-20s %s%s\n", s.Set, s.About, strings.Join(prefixAll("; ", extra), ""))
	}
}

// accuracy renders a set's classification accuracy, or for a splitting
// set the share of documents found with exact pages and class.
func accuracy(s SetSummary) string {
	if s.Segments > 0 {
		return ratio(s.SegmentsFound, s.Segments)
	}
	return ratio(s.Correct, s.Classified)
}

// writeSpeed writes the throughput by text kind.
func (rep *Report) writeSpeed(w io.Writer) {
	fmt.Fprintln(w, "\nspeed (parse + process, wall time at this concurrency; documents that fail to parse add no pages)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  text\tdocs\tpages\tseconds\tpages/s")
	for _, s := range rep.Speed {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%.2f\t%.2f\n", s.Text, s.Documents, s.Pages, s.Seconds, s.PagesPerSecond)
	}
	tw.Flush()
}

// writeNotAttempted lists, per set, the truth fields not extracted.
func (rep *Report) writeNotAttempted(w io.Writer) {
	reasons := map[string]string{}
	for _, d := range rep.Documents {
		for _, n := range d.NotAttempted {
			name, why, _ := strings.Cut(n, ": ")
			reasons[d.Set+"\x00"+name] = why
		}
	}
	first := true
	for _, s := range rep.Sets {
		names := make([]string, 0, len(s.NotAttempted))
		for n := range s.NotAttempted {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if first {
				fmt.Fprintln(w, "\nnot attempted (truth fields without an extraction rule; not in the rates)")
				first = false
			}
			fmt.Fprintf(w, "  %s: %s (%d docs): %s\n", s.Set, n, s.NotAttempted[n], reasons[s.Set+"\x00"+n])
		}
	}
}

// writeFailures lists the documents that failed, with the stage and the
// error code.
func (rep *Report) writeFailures(w io.Writer) {
	first := true
	for _, d := range rep.Documents {
		if d.Failure == nil {
			continue
		}
		if first {
			fmt.Fprintln(w, "\nfailed documents (their truth counts as missed)")
			first = false
		}
		fmt.Fprintf(w, "  %s [%s] %s %s: %s\n", d.Document, d.Set, d.Failure.Stage, d.Failure.Code, oneLine(d.Failure.Message))
	}
}

// writeDocument writes one document's line and its misses.
func writeDocument(w io.Writer, d *DocResult) {
	var parts []string
	if d.Failure != nil {
		parts = append(parts, fmt.Sprintf("FAILED %s %s: %s", d.Failure.Stage, d.Failure.Code, oneLine(d.Failure.Message)))
	}
	if d.Template != "" {
		parts = append(parts, fmt.Sprintf("template %q", d.Template))
	}
	if len(d.Fields) > 0 {
		exact := 0
		for _, f := range d.Fields {
			exact += b2i(f.Exact)
		}
		parts = append(parts, fmt.Sprintf("%d/%d fields exact", exact, len(d.Fields)))
	}
	if c := d.Class; c != nil {
		parts = append(parts, fmt.Sprintf("class %s, want %s (%.2f)", or(c.Got, "-"), c.Want, c.Confidence))
	}
	if s := d.Split; s != nil {
		parts = append(parts, fmt.Sprintf("segments %s, want %s; tp %d fp %d fn %d", segments(s.Got), segments(s.Want), s.TP, s.FP, s.FN))
	}
	if d.Note != "" {
		parts = append(parts, d.Note)
	}
	fmt.Fprintf(w, "  %s [%s, %s, %dp, %.2fs] %s\n", d.Document, d.Set, d.Text, d.Pages, d.Seconds, strings.Join(parts, "; "))
	for _, f := range d.Fields {
		iou := ""
		if f.IoU != nil {
			iou = fmt.Sprintf(" IoU %.2f", *f.IoU)
		}
		if !f.Exact || f.IoU != nil && *f.IoU < 0.5 {
			fmt.Fprintf(w, "      %-5s %s: want %q, got %q%s\n", mark(f.Exact), f.Name, f.Want, f.Got, iou)
		}
	}
}

// segments renders segments as "1-2 invoice, 3 tax_form".
func segments(segs []Segment) string {
	if len(segs) == 0 {
		return "none"
	}
	parts := make([]string, len(segs))
	for i, s := range segs {
		pages := fmt.Sprint(s.First)
		if s.Last != s.First {
			pages = fmt.Sprintf("%d-%d", s.First, s.Last)
		}
		parts[i] = pages + " " + s.Class
	}
	return strings.Join(parts, ", ")
}

// pct renders a rate as a percentage, "-" for nil.
func pct(r *float64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100**r)
}

// num renders a rate with three decimals, "-" for nil.
func num(r *float64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.3f", *r)
}

// ratio renders n/d as "n/d (p%)", "-" when d is 0.
func ratio(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d (%.1f%%)", n, d, 100*float64(n)/float64(d))
}

// mark renders an exact match.
func mark(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISS"
}

// or returns s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// oneLine collapses white space so a message fits on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// prefixAll puts p before every element of list.
func prefixAll(p string, list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = p + s
	}
	return out
}

// errWriter remembers the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

// Write writes to the underlying writer until a write fails.
func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
