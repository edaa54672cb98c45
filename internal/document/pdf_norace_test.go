//go:build !race

package document

// raceEnabled reports whether the race detector is on: it makes compiling
// PDFium from scratch take tens of seconds.
const raceEnabled = false
