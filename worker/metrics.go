package worker

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Collector exports the queue sizes to Prometheus, read from Redis at
// scrape time.
type Collector struct {
	queue *Queue
	size  *prometheus.Desc
	up    *prometheus.Desc
}

// NewCollector returns a Collector over q.
func NewCollector(q *Queue) *Collector {
	return &Collector{
		queue: q,
		size: prometheus.NewDesc("sheaf_queue_tasks", "Tasks waiting, scheduled, retrying or running, per queue.",
			[]string{"queue"}, nil),
		up: prometheus.NewDesc("sheaf_queue_up", "Whether the queue sizes could be read from Redis.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.size
	ch <- c.up
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	sizes, err := c.queue.Sizes()
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for name, n := range sizes {
		ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(n), name)
	}
}
