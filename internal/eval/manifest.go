package eval

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// Text kinds of a document: how its words are obtained.
const (
	// TextLayer is a PDF with a text layer.
	TextLayer = "text-layer"
	// TextOCR is an image or scan that needs OCR.
	TextOCR = "ocr"
	// TextPlain is pre-extracted plain text.
	TextPlain = "plain-text"
)

// entry is one row of manifest.csv.
type entry struct {
	Dataset     string // top-level folder of the corpus
	Document    string // path inside the dataset folder, with "/"
	Format      string
	Pages       int
	Text        string // TextLayer, TextOCR or TextPlain (or the manifest's own words)
	Task        string
	Truth       string // ground-truth path inside the dataset folder, or ""
	TruthFormat string
}

// ID names the document in reports: dataset/document.
func (e entry) ID() string { return e.Dataset + "/" + e.Document }

// path returns the file of the document, or of a path inside its dataset.
func (e entry) path(dir, rel string) string {
	return filepath.Join(dir, filepath.FromSlash(e.Dataset), filepath.FromSlash(rel))
}

// manifestColumns are the columns readManifest needs.
var manifestColumns = []string{"dataset", "document", "format", "pages", "text", "task", "ground_truth", "ground_truth_format"}

// readManifest reads dir/manifest.csv.
func readManifest(dir string) ([]entry, error) {
	f, err := os.Open(filepath.Join(dir, "manifest.csv"))
	if err != nil {
		return nil, fmt.Errorf("reading the corpus manifest: %w", err)
	}
	defer f.Close()
	return parseManifest(f)
}

// parseManifest reads manifest rows by column name.
func parseManifest(r io.Reader) ([]entry, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the manifest header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, c := range manifestColumns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("the manifest has no %q column", c)
		}
	}
	var entries []entry
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return entries, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the manifest: %w", err)
		}
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		e := entry{Dataset: get("dataset"), Document: get("document"), Format: get("format"), Text: textKind(get("text")),
			Task: get("task"), Truth: get("ground_truth"), TruthFormat: get("ground_truth_format")}
		e.Pages, _ = strconv.Atoi(get("pages"))
		if e.Dataset == "" || e.Document == "" || !local(e.Dataset) || !local(e.Document) || e.Truth != "" && !local(e.Truth) {
			return nil, fmt.Errorf("manifest line %d: a dataset and a relative document path are required", line)
		}
		entries = append(entries, e)
	}
}

// local reports whether p is a relative path that stays inside its folder.
func local(p string) bool {
	return filepath.IsLocal(filepath.FromSlash(p)) && !strings.HasPrefix(path.Clean(p), "..")
}

// textKind maps the manifest's "text" column to a text kind.
func textKind(s string) string {
	switch {
	case strings.HasPrefix(s, "text-layer"):
		return TextLayer
	case strings.Contains(s, "OCR") || strings.HasPrefix(s, "image"):
		return TextOCR
	case strings.HasPrefix(s, "plain-text"):
		return TextPlain
	}
	return s
}
