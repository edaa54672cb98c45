package processor

// Codes of the run-level errors processors return.
const (
	// CodeProcessorError means the processor could not run on the document.
	CodeProcessorError = "PROCESSOR_ERROR"
)

// ConfigError is an invalid processor configuration. The API answers it as a
// BAD_INPUT error.
type ConfigError struct {
	// Field is the path of the offending setting, e.g. "fields[2].regex", or
	// "" when the config as a whole is wrong.
	Field string
	// Message says what is wrong with it.
	Message string
}

// Error returns the path and the message.
func (e *ConfigError) Error() string {
	if e.Field == "" {
		return "invalid processor config: " + e.Message
	}
	return "invalid processor config: " + e.Field + ": " + e.Message
}

// Error is a problem running a processor on a document that retrying the
// same run cannot fix. The worker stores Code and Message on the failed run.
type Error struct {
	// Code is one of the Code constants.
	Code string
	// Message explains the problem.
	Message string
}

// Error returns the code and the message.
func (e *Error) Error() string { return e.Code + ": " + e.Message }
