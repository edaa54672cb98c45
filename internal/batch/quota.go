package batch

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	entbatch "github.com/sheaf-dev/sheaf/ent/batch"
	"github.com/sheaf-dev/sheaf/ent/organization"
	"github.com/sheaf-dev/sheaf/ent/run"
	"github.com/sheaf-dev/sheaf/ent/schema"
)

// checkQuota rejects work that would take the organization past its limit
// of pending + processing runs. Concurrent admissions may overshoot by at
// most one batch each; the limit protects the service, not an invoice.
func (s *Service) checkQuota(ctx context.Context, org string, adding int) error {
	limit := s.opts.OrgActiveRunLimit
	o, err := s.db.Organization.Query().Where(organization.ID(org)).Only(ctx)
	if err != nil {
		return fmt.Errorf("loading organization: %w", err)
	}
	if o.ActiveRunLimit != nil {
		limit = *o.ActiveRunLimit
	}
	active, err := s.activeRuns(ctx, org)
	if err != nil {
		return err
	}
	if active+adding > limit {
		return errorf(CodeQuotaExceeded, "organization has %d active runs and a limit of %d; %d more do not fit", active, limit, adding)
	}
	return nil
}

// activeRuns counts pending + processing runs: batch counters plus single runs.
func (s *Service) activeRuns(ctx context.Context, org string) (int, error) {
	var sums []struct {
		Sum int `json:"sum"`
	}
	err := s.db.Batch.Query().
		Where(entbatch.OrganizationID(org), entbatch.StatusIn(entbatch.StatusPENDING, entbatch.StatusPROCESSING, entbatch.StatusCANCELLED)).
		Modify(func(sel *sql.Selector) {
			sel.Select(sql.As("COALESCE(SUM("+sel.C(entbatch.FieldPending)+" + "+sel.C(entbatch.FieldProcessing)+"), 0)", "sum"))
		}).Scan(ctx, &sums)
	if err != nil {
		return 0, fmt.Errorf("counting active runs: %w", err)
	}
	single, err := s.db.Run.Query().
		Where(run.OrganizationID(org), inIndex(schema.RunsOpenSingle)).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("counting active single runs: %w", err)
	}
	total := single
	if len(sums) > 0 {
		total += sums[0].Sum
	}
	return total, nil
}
