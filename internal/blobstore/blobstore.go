// Package blobstore keeps uploaded documents in a gocloud.dev bucket chosen
// by URL: file:///path (the default, under the data dir) or s3://bucket.
package blobstore

import (
	"context"
	"fmt"
	"io"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// buckets
	_ "gocloud.dev/blob/s3blob"   // s3:// buckets
)

// Store is a bucket of document bytes.
type Store struct{ b *blob.Bucket }

// Open opens the bucket at url, creating a file:// directory if needed.
func Open(ctx context.Context, url string) (*Store, error) {
	b, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("opening blob store %s: %w", url, err)
	}
	return &Store{b: b}, nil
}

// NewWriter starts writing an object; the write is visible after Close.
func (s *Store) NewWriter(ctx context.Context, key, contentType string) (io.WriteCloser, error) {
	return s.b.NewWriter(ctx, key, &blob.WriterOptions{ContentType: contentType})
}

// NewReader opens an object for reading.
func (s *Store) NewReader(ctx context.Context, key string) (io.ReadCloser, error) {
	return s.b.NewReader(ctx, key, nil)
}

// Delete removes an object.
func (s *Store) Delete(ctx context.Context, key string) error { return s.b.Delete(ctx, key) }

// Ping checks that the bucket is reachable.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.b.IsAccessible(ctx)
	return err
}

// Close releases the bucket.
func (s *Store) Close() error { return s.b.Close() }
