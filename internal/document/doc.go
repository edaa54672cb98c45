// Package document turns the bytes of one input into a Document: pages of
// words and lines with normalised bounding boxes, in reading order.
//
// Every engine produces the same shape, so processors never care where a word
// came from:
//
//   - plain text (UTF-8, or UTF-16 with a byte-order mark) is laid out on a
//     nominal character grid by FromText, so "right of" and "below" work on
//     text exactly as they do on a PDF;
//   - PDF text layers and OCR of scans and images are added by the document
//     engine; until then Parse answers those inputs with an *Error whose Code
//     is CodeUnsupportedInput.
//
// Parse detects the input type from its content (magic bytes, then text
// encoding), never from a file name or a declared media type. Every failure a
// user can fix is an *Error with a stable Code; check it with errors.As.
//
// Coordinates: every Box is normalised to the page (0–1 on both axes) with
// the origin at the top-left corner, whatever the engine's native units.
package document
