// Package eval scores sheaf's document engine (parsing plus the EXTRACT,
// CLASSIFY and SPLIT processors) on a corpus of real documents with known
// answers, laid out like ../shared/corpus: a manifest.csv listing every
// document (dataset, document, format, pages, text, task, ground_truth,
// ground_truth_format) and one folder per dataset. It backs the
// `sheaf eval DIR` command.
//
// # Sets
//
// Each manifest row goes to one evaluation set, by its task and
// ground-truth file:
//
//   - invoice2data: tests/compare/* against invoice2data's expected JSON,
//     with one EXTRACT processor holding every template of
//     invoice2data/templates (processor.Invoice2DataTemplatesFromDir).
//     Every key of the expected object but "desc" is a field; a list of
//     objects is a line-item table, exact when the row counts agree and
//     every cell is equal (cells are also counted on their own).
//   - invoice2data-custom: tests/custom/*, scored the same way. Their
//     templates live upstream in tests/custom/templates, which the corpus
//     does not hold (they join when that folder is present), so they are
//     reported apart as "no template available" and left out of the
//     text-layer target.
//   - zugferd: the FeRD visualisations of ZUGFeRD/XRechnung invoices
//     against the flat JSON derived from their XML, with the field
//     template config configs/zugferd.json.
//   - labeled-<folder>: forms with human labels (Azure Form Recognizer
//     labels.json: label → words with page and a normalised 8-point quad),
//     with configs/labeled-<folder>.json. A label's value is its words
//     joined by spaces; its box is the axis-aligned box around the quads
//     of its first page. The quads are normalised with the origin at the
//     top-left, as document.Box is (checked against the PDFs' text layer),
//     so the box is compared with the value's provenance box as it is.
//   - classification: rows with task "classification" (class from the
//     dataset's labels.csv) or "classification (<class>)", classified by
//     the CLASSIFY preset "standard". Corpus classes are preset names,
//     except "paystub", which is "payslip"; see classAliases.
//   - splitting: multi-document PDFs split by SPLIT {"classify":
//     "standard"}; boundary counts (processor.BoundaryCounts) are summed
//     over files into one F1, and a true document counts as found when a
//     segment has its exact pages and class.
//   - unscored: everything else (no truth, or a vendor model's output
//     rather than human truth); parsed only, for robustness and speed.
//
// A config under configs/ is an EXTRACT config wrapped in a spec that maps
// truth fields to output fields and compare modes, lists the truth fields
// it does not attempt and why, and the metadata fields it ignores (see
// spec). Fields not attempted are reported per set, not counted in rates.
//
// # Scoring
//
// Values are compared after normalisation: strings trimmed, NFKC,
// case-folded, with white space collapsed; dates as ISO 8601 (numeric
// dates read day first unless the field says MDY); amounts as decimals
// without currency, thousands separators or trailing zeros ("1.234,50 €"
// is 1234.5); identifiers (IBAN, VAT ids, tax numbers) by their letters
// and digits only. A document that fails to parse or process keeps its
// truth: every field, class or boundary counts as missed, and the report
// lists the failure with the engine's error code.
//
// # Targets and speed
//
// The report rates the targets: text-layer field exact match ≥
// 95% (text-layer and plain-text documents of the extraction sets but
// invoice2data-custom), OCR field exact match ≥ 85%, split boundary F1 ≥
// 0.95, classification accuracy ≥ 90% and IoU ≥ 0.5 for ≥ 90% of boxed
// fields: PASS, MISS, or N/A when nothing measures it. Missed targets do
// not make Run fail. Documents run set by set and, within a set, text kind
// by text kind, Options.Concurrency at a time; pages per second are pages
// parsed over the wall time of those groups, parsing and processing
// included.
package eval
