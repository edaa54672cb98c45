package batch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/sheaf-dev/sheaf/ent"
	"github.com/sheaf-dev/sheaf/ent/file"
	"github.com/sheaf-dev/sheaf/internal/id"
)

// UploadFile stores a document's bytes in the blob store and records it; the
// returned file's id can be used as an input of batches and runs. Empty
// files and files over the upload limit are rejected and nothing is kept.
func (s *Service) UploadFile(ctx context.Context, org, filename, contentType string, r io.Reader) (*ent.File, error) {
	filename = path.Base(strings.ReplaceAll(filename, "\\", "/"))
	if len(filename) > maxFilenameLen || filename == "." || filename == "/" {
		filename = ""
	}
	fid := id.New(id.File)
	key := org + "/" + fid
	size, sum, err := s.writeBlob(ctx, key, contentType, r)
	if err != nil {
		return nil, err
	}
	f, err := s.db.File.Create().SetID(fid).SetOrganizationID(org).SetFilename(filename).
		SetContentType(contentType).SetSize(size).SetSha256(sum).SetBlobKey(key).Save(ctx)
	if err != nil {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), key)
		return nil, fmt.Errorf("recording file: %w", err)
	}
	s.log.InfoContext(ctx, "file uploaded", "file_id", f.ID, "size", size)
	return f, nil
}

var errTooLarge = errors.New("too large")

// limitedReader fails once more than max bytes have been read.
type limitedReader struct {
	r   io.Reader
	max int64
	n   int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return n, errTooLarge
	}
	return n, err
}

func (s *Service) writeBlob(ctx context.Context, key, contentType string, r io.Reader) (int64, string, error) {
	if s.blobs == nil {
		return 0, "", errors.New("uploading file: no blob store configured")
	}
	w, err := s.blobs.NewWriter(ctx, key, contentType)
	if err != nil {
		return 0, "", fmt.Errorf("opening blob: %w", err)
	}
	h := sha256.New()
	lr := &limitedReader{r: r, max: s.opts.MaxUploadBytes}
	size, err := io.Copy(io.MultiWriter(w, h), lr)
	cerr := w.Close()
	if err == nil {
		err = cerr
	}
	switch {
	case errors.Is(err, errTooLarge):
		err = &Error{Code: CodeBadInput, Index: -1, Field: "file",
			Message: fmt.Sprintf("file is larger than the limit of %d bytes", s.opts.MaxUploadBytes)}
	case err == nil && size == 0:
		err = &Error{Code: CodeBadInput, Message: "file is empty", Index: -1, Field: "file"}
	case err != nil:
		err = fmt.Errorf("storing blob: %w", err)
	}
	if err != nil {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), key)
		return 0, "", err
	}
	return size, hex.EncodeToString(h.Sum(nil)), nil
}

// GetFile returns one of the organization's files.
func (s *Service) GetFile(ctx context.Context, org, fileID string) (*ent.File, error) {
	f, err := s.db.File.Query().Where(file.ID(fileID), file.OrganizationID(org)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, notFound("file", fileID)
	}
	return f, err
}
