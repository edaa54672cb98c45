package batch

import (
	"context"
	"fmt"
	"strings"

	"github.com/sheaf-dev/sheaf/ent"
	"github.com/sheaf-dev/sheaf/ent/run"
	"github.com/sheaf-dev/sheaf/internal/id"
)

// Bounds of one unnest INSERT: PostgreSQL takes at most 1 GB in one
// parameter, and a statement holds its parameters in memory.
const (
	unnestRows  = 1000
	unnestBytes = 32 << 20
)

// insertRunsUnnest writes the runs of a new batch on PostgreSQL with
// INSERTs that take each per-run column as an array (unnest): 19 parameters
// whatever the number of runs, one statement per unnestRows runs or
// unnestBytes of input. Encoding, sending and planning a multi-row INSERT's
// 15 parameters per run cost more than writing the rows (a 1,000-run batch
// spent twice as long in it as the bare insert). The rows are those
// runCreate makes for ent's INSERT.
func (s *Service) insertRunsUnnest(ctx context.Context, tx *ent.Tx, batchID, org string, proc *ent.Processor,
	version int, useLLM bool, inputs []Input) error {
	for start := 0; start < len(inputs); {
		end, size := start, 0
		for end < len(inputs) && end-start < unnestRows && (end == start || size+inputs[end].size() <= unnestBytes) {
			size += inputs[end].size()
			end++
		}
		c := newRunColumns(inputs[start:end])
		_, err := tx.ExecContext(ctx, unnestInsert, org, batchID, proc.ID, version, string(proc.Type), useLLM,
			string(run.DefaultStatus), run.DefaultAttempts, run.DefaultDispatched, s.opts.Now(), start,
			c.ids, c.kinds, c.texts, c.files, c.urls, c.filenames, c.externals, c.metadata)
		if err != nil {
			return fmt.Errorf("inserting runs %d-%d: %w", start, end-1, err)
		}
		start = end
	}
	return nil
}

// runColumns are the per-run columns of an unnest INSERT.
type runColumns struct {
	ids, kinds                               []string
	texts, files, urls, filenames, externals []*string
	metadata                                 []string
}

// newRunColumns lays out the per-run columns of inputs, each run with a new id.
func newRunColumns(inputs []Input) runColumns {
	n := len(inputs)
	c := runColumns{ids: make([]string, n), kinds: make([]string, n), texts: make([]*string, n),
		files: make([]*string, n), urls: make([]*string, n), filenames: make([]*string, n),
		externals: make([]*string, n), metadata: make([]string, n)}
	for i, in := range inputs {
		kind, _ := in.kind()
		c.ids[i], c.kinds[i] = id.New(id.Run), kind
		c.texts[i], c.files[i], c.urls[i] = in.Text, in.FileID, in.URL
		c.filenames[i], c.externals[i] = in.Filename, in.ExternalID
		c.metadata[i] = string(jsonArg(normMetadata(in.Metadata)))
	}
	return c
}

// size is roughly how many bytes an input adds to an INSERT.
func (in Input) size() int {
	n := 64 + len(in.Metadata)
	for _, p := range []*string{in.Text, in.FileID, in.URL, in.Filename, in.ExternalID} {
		if p != nil {
			n += len(*p)
		}
	}
	return n
}

// unnestInsert is the unnest INSERT: $1–$11 are the columns every run of
// the batch shares and the position of the first, $12–$19 the per-run
// arrays, in runColumns order.
var unnestInsert = "INSERT INTO " + run.Table + " (" + strings.Join([]string{
	run.FieldOrganizationID, run.FieldBatchID, run.FieldProcessorID, run.FieldProcessorVersion, run.FieldProcessorType,
	run.FieldUseLlm, run.FieldStatus, run.FieldAttempts, run.FieldDispatched, run.FieldCreatedAt, run.FieldPosition,
	run.FieldID, run.FieldInputKind, run.FieldInputText, run.FieldFileID, run.FieldURL, run.FieldFilename,
	run.FieldExternalID, run.FieldMetadata}, ", ") + `)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 + u.ord - 1,
	u.id, u.kind, u.text, u.file_id, u.url, u.filename, u.external_id, u.metadata::jsonb
FROM unnest($12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[])
	WITH ORDINALITY AS u(id, kind, text, file_id, url, filename, external_id, metadata, ord)`
