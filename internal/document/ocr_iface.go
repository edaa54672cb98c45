package document

// This file only lets the eng-ocr branch compile on its own: Recognizer and
// CodeOCRUnavailable are declared by the PDF path in parser.go, and this
// duplicate is deleted when the branches merge.

import (
	"context"
	"image"
)

// Recognizer reads text from images; *OCR (tesseract) implements it.
type Recognizer interface {
	Page(ctx context.Context, img image.Image, number int, dpi float64) (Page, error)
	Image(ctx context.Context, data []byte, maxPixels int64) ([]Page, error)
}

// CodeOCRUnavailable means the input needs OCR and the OCR engine
// (tesseract and its language data) is not installed.
const CodeOCRUnavailable = "OCR_UNAVAILABLE"
