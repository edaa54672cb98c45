// Package bench holds sheaf's end-to-end performance benchmarks: the whole
// service (database, Redis, GraphQL HTTP handler, worker) assembled as
// package main assembles it, each figure printed next to an honest baseline
// doing the comparable bare work, and the ratio checked against its goal.
//
//	P1  createBatch of 1,000 text inputs through POST /graphql, p50 and p99,
//	    vs a bare database/sql multi-row INSERT of 1,000 rows in one
//	    transaction into a copy of the runs table (goal ≤ 3×).
//	P2  no-op runs per second through the whole pipeline (createBatch →
//	    dispatcher → low queue → worker → finish transaction → progress
//	    publish) vs bare asynq on the same Redis with the same concurrency
//	    and a handler that does nothing (goal ≥ 0.5×).
//	P3  processDocument p95 while a 10,000-run batch keeps the workers busy
//	    vs on idle workers (goal ≤ 1.5×).
//	P4  progress lag p99 — receipt time minus the batch's updatedAt carried
//	    in the event — for 1,000 websocket subscribers of one running batch
//	    on one process (goal ≤ 100 ms), split in the log into updatedAt →
//	    Redis hint (database side) and hint → client (fan-out). Receipt is
//	    when the event reached the client's socket, as the kernel stamps it
//	    (SO_TIMESTAMPNS): the clients share the process and its cores with
//	    the server. The lag until a client's goroutine had read the event is
//	    reported beside it (read-lag-p99-ms), and so is the CPU time the
//	    process (server, worker and clients) used while the batch ran
//	    (cpu-ms/batch).
//
// Run them against the real services (what CI uses):
//
//	DATABASE_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' \
//	REDIS_URL=redis://127.0.0.1:6379/0 \
//	go test -run '^$' -bench . -benchtime=1x -timeout 30m ./bench/
//
// and against the embedded defaults (SQLite file + miniredis) by leaving
// both variables unset. Pick one benchmark with -bench P3, profile with
// -cpuprofile cpu.out, or see where wall time is spent waiting with
// -trace trace.out and `go tool trace -pprof=net trace.out`.
//
// Each benchmark reports its figures with b.ReportMetric (milliseconds,
// runs/s, ratios); after the run, TestMain prints a table of figure,
// baseline, ratio, goal and verdict. -benchtime=1x runs each experiment
// once (each already times 30–4,000 samples); -benchtime=Nx repeats it N
// times and pools the samples; -short shrinks every benchmark to a smoke
// test whose figures mean nothing (for -race). With REDIS_URL set the
// benchmarks use Redis database 10 (see internal/testutil) and flush it
// between rounds; with DATABASE_URL set each benchmark gets a fresh
// PostgreSQL database.
//
// The figures depend on the machine: run them on an otherwise idle one
// (the table header shows the load average at the end of the run).
package bench
