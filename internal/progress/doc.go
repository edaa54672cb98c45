// Package progress pushes live progress hints between sheaf processes over
// Redis pub/sub.
//
// Workers call [Hub.Publish] after they commit a state change; API processes
// call [Hub.Subscribe] to follow a topic (typically a batch id) and forward
// what arrives to GraphQL subscribers. Messages are hints, never state: a
// subscriber that needs the truth reads the database after Subscribe returns,
// and from then on every publish reaches it, possibly coalesced with later
// ones.
//
// One Hub per process owns one Redis pub/sub connection (one go-redis
// [redis.PubSub]) shared by all of its subscriptions. Topics are reference
// counted: the Hub subscribes to the Redis channel "sheaf:progress:<topic>"
// when the first local subscriber arrives and unsubscribes after the last one
// leaves. Delivery coalesces: each [Subscription] holds only the latest
// message it has not taken yet, so a slow subscriber never blocks the
// receive loop, other subscribers or publishers.
//
// A Hub runs two goroutines, both ended by [Hub.Close]: the receive loop,
// which reads the pub/sub connection and fans messages out, and the
// reconcile loop, which sends SUBSCRIBE and UNSUBSCRIBE commands so that the
// connection's channels follow the local reference counts. go-redis
// reconnects and resubscribes after a connection loss; the Hub keeps working
// across it.
package progress
