package eval

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// ParseFlags reads the arguments of `sheaf eval`:
//
//	sheaf eval [--json] [--verbose] [--only SET] [--concurrency N] [--ocr-pages N] [--ocr-lang L] DIR
//
// Flags may come before or after DIR. -h prints the usage to stderr and
// returns flag.ErrHelp.
func ParseFlags(args []string, stderr io.Writer) (Options, error) {
	var opts Options
	fs := flag.NewFlagSet("sheaf eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&opts.JSON, "json", false, "write the report as JSON")
	fs.BoolVar(&opts.Verbose, "verbose", false, "list every document and its missed fields")
	fs.BoolVar(&opts.Verbose, "v", false, "short for --verbose")
	fs.StringVar(&opts.Only, "only", "", "evaluate one set (invoice2data, invoice2data-custom, zugferd, labeled-invoices, labeled-w9, labeled-w8ben, classification, splitting, unscored) or one manifest dataset")
	fs.IntVar(&opts.Concurrency, "concurrency", 0, "documents run at once (default GOMAXPROCS)")
	fs.IntVar(&opts.OCRPages, "ocr-pages", DefaultOCRPages, "pages of each labelled PDF rendered and read by OCR for the *-ocr sets (0 skips them)")
	fs.StringVar(&opts.OCRLang, "ocr-lang", os.Getenv("SHEAF_OCR_LANG"), "tesseract languages joined by + (default $SHEAF_OCR_LANG, else eng); the corpus has German invoices: eng+deu")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sheaf eval [flags] DIR\n\nScores the document engine on a corpus laid out like ../shared/corpus (DIR/manifest.csv).\n\nFlags:")
		fs.PrintDefaults()
	}
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			return Options{}, err
		}
		if fs.NArg() == 0 {
			break
		}
		operands = append(operands, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(operands) != 1:
		fs.Usage()
		return Options{}, errors.New("sheaf eval: want exactly one corpus directory")
	case opts.Concurrency < 0:
		return Options{}, errors.New("sheaf eval: --concurrency must be at least 0")
	case opts.OCRPages < 0:
		return Options{}, errors.New("sheaf eval: --ocr-pages must be at least 0")
	}
	opts.Dir = operands[0]
	return opts, nil
}
