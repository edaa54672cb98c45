package batch

import (
	"encoding/base64"
)

// PageArgs asks for one page of a list: at most First items after the
// opaque cursor After.
type PageArgs struct {
	First *int
	After string
}

// Page is one page of a list, with an opaque cursor per item.
type Page[T any] struct {
	Items       []T
	Cursors     []string
	HasNextPage bool
}

// EndCursor is the cursor of the last item, or "".
func (p *Page[T]) EndCursor() string {
	if len(p.Cursors) == 0 {
		return ""
	}
	return p.Cursors[len(p.Cursors)-1]
}

const (
	defaultPageSize = 50
	maxPageSize     = 500
)

func (a PageArgs) limit() int {
	if a.First == nil {
		return defaultPageSize
	}
	return min(max(*a.First, 0), maxPageSize)
}

func (a PageArgs) validate() error {
	if a.First != nil && (*a.First < 0 || *a.First > maxPageSize) {
		return &Error{Code: CodeBadInput, Message: "first must be between 0 and 500", Index: -1, Field: "first"}
	}
	return nil
}

// trim cuts the one extra row fetched to learn whether a next page exists.
func trim[T any](rows []T, limit int, hasNext *bool) []T {
	if len(rows) > limit {
		*hasNext = true
		return rows[:limit]
	}
	return rows
}

func encodeCursor(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) == 0 {
		return "", &Error{Code: CodeBadInput, Message: "after is not a valid cursor", Index: -1, Field: "after"}
	}
	return string(b), nil
}
