// Package batch is sheaf's domain: the lifecycle of batches and runs, the
// transactions that move them between states, admission (validation and
// quota), fair dispatch, the sweeper that repairs the queue after Redis loses
// its data, and progress snapshots.
//
// Every method takes the caller's organization and scopes every read and
// write by it: another tenant's id answers exactly like a missing id.
// Every state change is a conditional update (WHERE status = expected), and
// batch counters change in the same transaction as the run they count, so a
// task delivered twice, a retry racing a cancel, or two workers on one run
// change state once and count once.
//
// The package declares the small interfaces it needs from the outside world
// (Queue, Publisher, Subscriber, Blobs, Engine) and never imports a
// transport, the queue library or Redis.
package batch
