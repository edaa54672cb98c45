package batch

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Input is one document of a batch or a single run: exactly one of Text,
// FileID or URL.
type Input struct {
	Text       *string         `json:"text,omitempty"`
	FileID     *string         `json:"file_id,omitempty"`
	URL        *string         `json:"url,omitempty"`
	Filename   *string         `json:"filename,omitempty"`
	ExternalID *string         `json:"external_id,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

// Limits on user-supplied strings.
const (
	maxNameLen      = 200
	maxFilenameLen  = 255
	maxExternalID   = 255
	maxURLLen       = 2048
	maxIdemKeyLen   = 255
	maxMetadata     = 16 << 10
	maxBatchMeta    = 64 << 10
	minPriority     = -1000
	maxPriority     = 1000
	maxProcessorCfg = 1 << 20
)

// kind returns the input's kind after checking that exactly one source is set.
func (in Input) kind() (string, string) {
	n := 0
	kind := ""
	if in.Text != nil {
		n, kind = n+1, "text"
	}
	if in.FileID != nil {
		n, kind = n+1, "file"
	}
	if in.URL != nil {
		n, kind = n+1, "url"
	}
	switch n {
	case 0:
		return "", "needs one of text, fileId or url"
	case 1:
		return kind, ""
	}
	return "", "has more than one of text, fileId and url; give exactly one"
}

// validate checks one input in isolation (file ids are checked against the
// database by the caller). It returns a message, or "".
func (in Input) validate(maxText int) string {
	kind, msg := in.kind()
	if msg != "" {
		return msg
	}
	switch kind {
	case "text":
		if strings.TrimSpace(*in.Text) == "" {
			return "text is empty"
		}
		if len(*in.Text) > maxText {
			return "text is larger than the limit of " + itoa(maxText) + " bytes"
		}
		if !utf8.ValidString(*in.Text) {
			return "text is not valid UTF-8"
		}
	case "file":
		if *in.FileID == "" {
			return "fileId is empty"
		}
	case "url":
		if m := checkURL(*in.URL); m != "" {
			return m
		}
	}
	if in.Filename != nil && (len(*in.Filename) > maxFilenameLen || strings.ContainsAny(*in.Filename, "\x00/\\")) {
		return "filename must be at most 255 bytes without slashes or NUL"
	}
	if in.ExternalID != nil && len(*in.ExternalID) > maxExternalID {
		return "externalId is longer than 255 bytes"
	}
	return checkMetadata(in.Metadata, maxMetadata)
}

func checkURL(raw string) string {
	if len(raw) > maxURLLen {
		return "url is longer than 2048 bytes"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "url must be an absolute http or https URL"
	}
	if u.User != nil {
		return "url must not carry credentials"
	}
	return ""
}

// checkMetadata accepts nothing, null, or a JSON object of at most max bytes.
func checkMetadata(m json.RawMessage, max int) string {
	if len(m) == 0 || bytes.Equal(bytes.TrimSpace(m), []byte("null")) {
		return ""
	}
	if len(m) > max {
		return "metadata is larger than " + itoa(max) + " bytes"
	}
	var obj map[string]any
	if err := json.Unmarshal(m, &obj); err != nil {
		return "metadata must be a JSON object"
	}
	return ""
}

// normMetadata returns nil for absent or null metadata.
func normMetadata(m json.RawMessage) json.RawMessage {
	if len(m) == 0 || bytes.Equal(bytes.TrimSpace(m), []byte("null")) {
		return nil
	}
	return m
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
