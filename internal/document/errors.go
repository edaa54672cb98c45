package document

// Codes of the errors Parse returns. They are stable: the worker stores them
// on the failed run and clients match on them.
const (
	// CodeUnsupportedInput means the input is of a type sheaf cannot parse
	// (yet): the message names the detected type.
	CodeUnsupportedInput = "UNSUPPORTED_INPUT"
	// CodeEmptyInput means the input has no bytes, or no text.
	CodeEmptyInput = "EMPTY_INPUT"
	// CodeInputTooLarge means the input is larger than ParseOptions.MaxBytes.
	CodeInputTooLarge = "INPUT_TOO_LARGE"
	// CodeInvalidEncoding means the input looks like text but is not valid
	// UTF-8 (or valid UTF-16 after a UTF-16 byte-order mark).
	CodeInvalidEncoding = "INVALID_ENCODING"
)

// Error is a problem with the input itself: retrying the same bytes cannot
// succeed. Match it with errors.As and switch on Code.
type Error struct {
	// Code is one of the Code constants.
	Code string
	// Message explains the problem to the user who sent the input.
	Message string
}

// Error returns the code and the message.
func (e *Error) Error() string { return e.Code + ": " + e.Message }
