package eval

// DocResult is how the engine did on one document.
type DocResult struct {
	// Set is the evaluation set the document belongs to.
	Set string `json:"set"`
	// Document is dataset/path in the corpus.
	Document string `json:"document"`
	// Text is how the document's words are obtained: TextLayer, TextOCR
	// or TextPlain (from the manifest).
	Text string `json:"text"`
	// Pages is the number of pages parsed; 0 when parsing failed.
	Pages int `json:"pages"`
	// Seconds is the time spent parsing and processing the document.
	Seconds float64 `json:"seconds"`
	// Failure is set when the document could not be scored as intended.
	Failure *Failure `json:"failure,omitempty"`
	// Template is the invoice2data template that matched, if any.
	Template string `json:"template,omitempty"`
	// NoTemplate is true for an invoice2data document no template matched.
	NoTemplate bool `json:"no_template,omitempty"`
	// Fields are the scored fields of an extraction set.
	Fields []FieldResult `json:"fields,omitempty"`
	// NotAttempted are truth fields the set does not try to extract, with
	// the reason: "name: reason".
	NotAttempted []string `json:"not_attempted,omitempty"`
	// Cells and CellsExact count line-item table cells of the truth and
	// those extracted exactly.
	Cells      int `json:"cells,omitempty"`
	CellsExact int `json:"cells_exact,omitempty"`
	// Class is set for a classification document.
	Class *ClassResult `json:"class,omitempty"`
	// Split is set for a splitting document.
	Split *SplitResult `json:"split,omitempty"`
	// Note says why an unscored document is not scored.
	Note string `json:"note,omitempty"`
}

// Failure is why a document could not be scored as intended; its truth
// still counts, as misses.
type Failure struct {
	// Stage is "read", "truth", "setup", "parse" or "process".
	Stage string `json:"stage"`
	// Code is the engine's error code (document.Error / processor.Error),
	// or an evaluation code such as MISSING_FILE or BAD_TRUTH.
	Code string `json:"code"`
	// Message is the error's text.
	Message string `json:"message"`
}

// FieldResult compares one truth field with the extracted value.
type FieldResult struct {
	// Name is the truth's name of the field.
	Name string `json:"name"`
	// Want and Got are the normalised truth and extracted values; Got is
	// empty when nothing was extracted.
	Want string `json:"want"`
	Got  string `json:"got"`
	// Exact reports whether they are equal.
	Exact bool `json:"exact"`
	// IoU is the intersection over union of the truth's box and the
	// value's provenance box, when the truth has a box.
	IoU *float64 `json:"iou,omitempty"`
}

// ClassResult compares a document's class with the processor's answer.
type ClassResult struct {
	// Want is the truth's class, mapped to the preset's name.
	Want string `json:"want"`
	// Got is the class the processor chose; empty when it failed.
	Got string `json:"got"`
	// Confidence is the processor's confidence.
	Confidence float64 `json:"confidence"`
	// Correct reports whether Got is Want.
	Correct bool `json:"correct"`
}

// SplitResult compares the documents of a multi-document file with the
// processor's segments.
type SplitResult struct {
	// Want and Got are the true documents and the segments found.
	Want []Segment `json:"want"`
	Got  []Segment `json:"got"`
	// TP, FP and FN count boundaries (start pages after page 1) that are
	// true, wrongly predicted and missed.
	TP int `json:"tp"`
	FP int `json:"fp"`
	FN int `json:"fn"`
	// Found counts the true documents found with their exact pages and
	// class.
	Found int `json:"found"`
}

// Segment is a run of pages holding one document of a class.
type Segment struct {
	// Class is the document's class.
	Class string `json:"class"`
	// First and Last are 1-based, inclusive.
	First int `json:"first"`
	Last  int `json:"last"`
}
