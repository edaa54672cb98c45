// Package processor runs a processor (EXTRACT, CLASSIFY or SPLIT) on a parsed
// document.Document and returns its typed Output, which the worker stores as
// JSON on the run.
//
// New validates a processor's JSON config and returns a Processor; an
// invalid config is a *ConfigError naming the setting ("fields[2].regex"),
// which the API answers as BAD_INPUT when the processor is created. A
// Processor is safe for concurrent use. The EXTRACT config is described
// below; ClassifyConfig and SplitConfig describe the CLASSIFY and SPLIT
// configs and how those processors decide.
//
// An EXTRACT config {"invoice2data": {"templates": [...]}} builds the
// processor from invoice2data templates instead of the config below; see
// Invoice2DataConfig.
//
// # EXTRACT config
//
//	{
//	  "fields": [
//	    {"name": "invoice_number", "type": "string", "labels": ["Invoice No", "Invoice #"], "regex": "INV-\\d+", "required": true},
//	    {"name": "total", "type": "money", "labels": ["Total"], "currency": "EUR"},
//	    {"name": "date", "type": "date", "labels": ["Date"], "date_order": "DMY"},
//	    {"name": "qty", "type": "number", "regex": "Qty:\\s*(\\d+)"}
//	  ],
//	  "review_threshold": 0.7,
//	  "date_order": "DMY",
//	  "decimal_separator": ""
//	}
//
// Top-level settings:
//
//   - fields (required; may be empty, which makes a no-op processor): at most
//     MaxFields fields; the output lists them in this order.
//   - review_threshold (default 0.7): a value whose confidence is below it
//     needs review.
//   - date_order ("DMY" default, or "MDY"): how date fields read an ambiguous
//     all-numeric date such as 01/03/2024.
//   - decimal_separator ("." or ","; default: decided from the text): for
//     number and money fields.
//
// Field settings:
//
//   - name (required, unique): letters, digits and "_", starting with a letter
//     or "_", at most 64 characters, without "__" (export columns use it).
//   - type: "string" (default), "number", "date" or "money".
//   - labels: texts printed next to the value. Matching ignores case, needs
//     whole words ("No" does not match inside "Note") and tolerates the
//     punctuation after a label (':', '#', '.', '=', '*', a lone dash) and
//     the space before '#' and the like ("Invoice #" matches "Invoice#:").
//   - regex: an RE2 regular expression (https://github.com/google/re2/wiki/Syntax),
//     in multi-line mode (^ and $ match at line ends). With a capture group,
//     group 1 is the value. It must not match the empty string.
//   - A field needs labels, a regex or both. With both, the regex also
//     constrains the label's value.
//   - required: a missing value needs review.
//   - currency (money only): the ISO 4217 code of amounts whose text shows no
//     currency; it also picks among currencies sharing a symbol ("$").
//   - date_order (date only), decimal_separator (number and money only):
//     override the top-level defaults.
//
// # How values are found
//
// Labels and regexes see the document's reading-order text: the words of a
// line separated by single spaces, lines by "\n", pages by "\f" (what
// document.Document.Text returns). Next to each occurrence of a label the
// extractor takes a phrase, a run of at most 40 words up to a column gap (two
// or more character widths; OCR boxes hug the ink, so between OCR words a
// little more) or a word ending with ':' (the next label):
//
//   - right of the label on its line; a phrase starting with a word that
//     ends with ':' is another label, not a value;
//   - below the label — on the nearest line within two line heights whose
//     words overlap the label horizontally — when nothing usable is right of
//     it (no words, or no value of the field's type), or when the label has
//     no ':' (or '=', '#', dash) and a column gap separates it from the words
//     right of it, as in a table header; then both are candidates.
//
// Without a regex, the value must start the phrase: a string is the phrase, a
// number, date or amount is read from its start. With a regex, the value is
// its first match (or group 1) that overlaps the phrase; a label's phrase
// that the regex does not match is no candidate. When no label leads to a
// value, or the field has no labels, every match of the regex in the document
// is a candidate.
//
// Values by type:
//
//   - number: "1234.5", "1,234.56", "1.234,56", "1 234,56", "1'234.56",
//     "(1,234.00)" and "-5" (negative), Indian "1,23,456". With both "." and
//     "," the last one is the decimal separator; a separator that repeats
//     groups thousands; a single one not followed by exactly three digits is
//     decimal. "1,234" reads as 1234 and "1.234" as 1.234 (English), which
//     counts as resolved by default (below) unless decimal_separator is set.
//   - money: a number with a currency symbol or an upper-case ISO 4217 code
//     before or after it ("€1.234,56", "1 234,56 EUR", "-$12", "CHF 50"), as
//     {"amount": 1234.56, "currency": "EUR"}. Without a currency in the text
//     the field's currency applies; "currency" is omitted when neither says.
//   - date: "2024-03-01", "01/03/2024", "01.03.2024", "1-3-24",
//     "1 March 2024", "1st Mar. 2024", "01-Mar-2024", "March 1, 2024",
//     "1. März 2024" (month names in English, German, French, Spanish,
//     Italian, Dutch and Portuguese), after an optional weekday, as
//     "YYYY-MM-DD". All-numeric dates: a four-digit first part is the year;
//     a part above 12 is the day; "." means day first; otherwise date_order
//     decides, day first by default (which counts as resolved by default
//     unless date_order is set). Two-digit years 00–69 are 2000–2069, 70–99
//     are 1970–1999.
//   - string: the text, without surrounding spaces and trailing "," or ";".
//
// # Confidence
//
// A value's confidence (0–1) says how it was found:
//
//	right of a label on its line                          0.85
//	right of a label without ':' across a column gap      0.75
//	below a label                                         0.80
//	  … and the field's regex matches it                  +0.10
//	regex match, field without labels                     0.75
//	regex match where none of the field's labels led      0.60
//	  to a value
//
// It is then multiplied by 0.9 when reading the value took a default to
// resolve an ambiguity (an all-numeric date in default day-first order, "1,234"
// without a decimal_separator, "$" without a matching currency setting), and
// by the lowest OCR confidence of the value's words. When the document holds
// several different candidate values, the best is kept (highest confidence,
// then first in reading order) and loses half the confidence of the strongest
// competing value; the field is marked "ambiguous". Values found more than
// once count once.
//
// A field needs review (Field.ReviewReasons) when its confidence is below
// review_threshold ("low_confidence"), when it is ambiguous ("ambiguous"),
// when text was found where the value should be but it is not a value of the
// field's type or does not match its regex ("parse_failed": value nil,
// confidence 0.2, Text and Provenance show the text), or when it is required
// and has no value ("missing_required"). A missing optional field has value
// nil and confidence 0 and needs no review. Output.NeedsReview is true when
// any field needs review.
package processor
