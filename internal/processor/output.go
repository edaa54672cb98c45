package processor

// Output is what a processor produced for one document; the worker stores it
// as JSON on the run. Classification and segments join it with the CLASSIFY
// and SPLIT processors.
type Output struct {
	// Type is the type of the processor that produced the output.
	Type Type `json:"type"`
	// Template names the extraction template that matched, when a
	// processor holds several (invoice2data template sets).
	Template string `json:"template,omitempty"`
	// Fields are the extracted fields, in the order of the config.
	Fields []Field `json:"fields,omitempty"`
	// Tables are extracted line-item tables, in the order of the config.
	Tables []Table `json:"tables,omitempty"`
	// Class is the CLASSIFY processor's answer.
	Class *Classification `json:"class,omitempty"`
	// Segments are the SPLIT processor's documents, in page order.
	Segments []Segment `json:"segments,omitempty"`
	// NeedsReview is true when any field needs review; the run then ends as
	// NEEDS_REVIEW instead of PROCESSED.
	NeedsReview bool `json:"needs_review"`
}

// Table is an extracted line-item table: one Row per item.
type Table struct {
	// Name is the table's name from the config ("lines" for invoice2data).
	Name string `json:"name"`
	// Columns are the column names, in config order.
	Columns []string `json:"columns"`
	// Rows are the items in document order.
	Rows []Row `json:"rows"`
	// NeedsReview says a person should check the table; ReviewReasons says why.
	NeedsReview   bool     `json:"needs_review"`
	ReviewReasons []string `json:"review_reasons,omitempty"`
}

// Row is one line item: one Field per column that has a value.
type Row struct {
	Cells []Field `json:"cells"`
	// Provenance covers the whole row.
	Provenance []Provenance `json:"provenance,omitempty"`
}

// Classification is what a CLASSIFY processor decided about a document.
type Classification struct {
	// Class is the chosen class, or "other" when nothing fits well enough.
	Class string `json:"class"`
	// Confidence is 0–1.
	Confidence float64 `json:"confidence"`
	// Scores are every class's score, for transparency.
	Scores map[string]float64 `json:"scores,omitempty"`
	// Evidence are the words that decided it.
	Evidence []Provenance `json:"evidence,omitempty"`
}

// Segment is one document found inside a multi-document input.
type Segment struct {
	// Class is the segment's class ("other" when none fits).
	Class string `json:"class"`
	// StartPage and EndPage are 1-based and inclusive.
	StartPage int `json:"start_page"`
	EndPage   int `json:"end_page"`
	// Confidence is 0–1: how sure the boundaries and class are.
	Confidence float64 `json:"confidence"`
	// Output is the segment's extraction, when the split processor is
	// configured with an extraction for its class.
	Output *Output `json:"output,omitempty"`
}

// FieldType is the type of an extracted value.
type FieldType string

const (
	// FieldString is text: the value is a string.
	FieldString FieldType = "string"
	// FieldNumber is a number: the value is a float64.
	FieldNumber FieldType = "number"
	// FieldDate is a calendar date: the value is an ISO 8601 "YYYY-MM-DD"
	// string.
	FieldDate FieldType = "date"
	// FieldMoney is an amount of money: the value is a Money.
	FieldMoney FieldType = "money"
)

// Reasons a field needs review, in Field.ReviewReasons.
const (
	// ReasonLowConfidence means a value was found with a confidence below
	// the processor's review threshold.
	ReasonLowConfidence = "low_confidence"
	// ReasonMissingRequired means a required field has no value.
	ReasonMissingRequired = "missing_required"
	// ReasonParseFailed means text was found where the value should be, but
	// it is not a value of the field's type (or does not match its regex).
	ReasonParseFailed = "parse_failed"
	// ReasonAmbiguous means the document holds different candidate values
	// for the field; the best one was chosen.
	ReasonAmbiguous = "ambiguous"
)

// Field is one extracted field.
type Field struct {
	// Name is the field's name from the config.
	Name string `json:"name"`
	// Type is the field's type from the config.
	Type FieldType `json:"type"`
	// Value is a string, a float64, an ISO date string or a Money according
	// to Type, or nil when no value was found.
	Value any `json:"value"`
	// Text is the document text the value was read from.
	Text string `json:"text,omitempty"`
	// Confidence is 0–1: how the value was found (see the package
	// documentation); 0 when there is no value.
	Confidence float64 `json:"confidence"`
	// NeedsReview says a person should check the field; ReviewReasons says
	// why.
	NeedsReview bool `json:"needs_review"`
	// ReviewReasons holds Reason constants.
	ReviewReasons []string `json:"review_reasons,omitempty"`
	// Provenance says where on which pages the value is.
	Provenance []Provenance `json:"provenance,omitempty"`
}

// Money is the value of a money field.
type Money struct {
	// Amount is the amount in the currency's main unit (euros, not cents).
	Amount float64 `json:"amount"`
	// Currency is an ISO 4217 code: the one the document shows, else the
	// field's configured currency; empty (and omitted) when neither says.
	Currency string `json:"currency,omitempty"`
}

// Provenance is the part of one page a value was read from.
type Provenance struct {
	// Page is the 1-based page number.
	Page int `json:"page"`
	// BBox is the union of the boxes of the value's words on the page:
	// x0, y0, x1, y1, normalised 0–1 from the page's top-left corner.
	BBox [4]float64 `json:"bbox"`
	// Text is the text of those words.
	Text string `json:"text"`
}
