package batch

import (
	"errors"
	"fmt"
)

// Code classifies a domain error; each transport maps codes in one place.
type Code string

// Error codes.
const (
	CodeBadInput      Code = "BAD_INPUT"
	CodeNotFound      Code = "NOT_FOUND"
	CodeQuotaExceeded Code = "QUOTA_EXCEEDED"
	CodeConflict      Code = "CONFLICT"
	CodeUnauthorized  Code = "UNAUTHENTICATED"
	CodeInternal      Code = "INTERNAL"
)

// Error is a domain error a client can act on.
type Error struct {
	Code    Code
	Message string
	// Index is the offending input's position in a batch request, or -1.
	Index int
	// Field names the offending field, when one does.
	Field string
}

func (e *Error) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("inputs[%d]: %s", e.Index, e.Message)
	}
	return e.Message
}

// CodeOf returns err's code: the Code of an *Error in its chain, or
// CodeInternal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Index: -1}
}

func badInput(format string, args ...any) *Error { return errorf(CodeBadInput, format, args...) }

func badField(field, format string, args ...any) *Error {
	e := badInput(format, args...)
	e.Field = field
	return e
}

func badInputAt(index int, format string, args ...any) *Error {
	e := badInput(format, args...)
	e.Index = index
	return e
}

func notFound(kind, id string) *Error { return errorf(CodeNotFound, "%s %q not found", kind, id) }

// ErrNotClaimable means a run task arrived for a run that is not PENDING: a
// duplicate delivery, or a run cancelled meanwhile. The task is acknowledged.
var ErrNotClaimable = errors.New("run is not pending")

// ErrStaleLease means a worker finished a run whose lease it had lost; its
// result is discarded because another delivery owns the run now.
var ErrStaleLease = errors.New("run lease was lost")
