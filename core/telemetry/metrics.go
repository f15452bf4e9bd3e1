// Package telemetry is the seam between Basalt's code and its
// observability libraries: Prometheus metrics on a registry of their own
// (never the global one), OpenTelemetry spans started from whatever span
// a context carries, and request ids for logs. It imports only the
// libraries' APIs (client_golang, otel/trace), never an exporter: the
// server wiring picks the exporter, so core and the store can instrument
// themselves without knowing where the data goes.
package telemetry

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every metric name Basalt defines.
const Namespace = "basalt"

// maxHTTPSeries bounds the distinct (route, method, status) label sets of
// the request histogram. Routes are templates and methods and statuses
// are normalised, so the bound is only reached through a bug; past it the
// route collapses to OtherRoute.
const maxHTTPSeries = 4096

// OtherRoute is the route label of requests that matched no route (and of
// any route past maxHTTPSeries).
const OtherRoute = "unmatched"

// Metrics holds Basalt's Prometheus collectors on a registry of its own.
// A nil *Metrics is valid: every method then does nothing.
type Metrics struct {
	reg *prometheus.Registry

	httpDur *prometheus.HistogramVec
	httpMu  sync.Mutex
	// httpObs maps a label set to its histogram child; it is copied on
	// write so a request only reads it (no lock, no allocation).
	httpObs atomic.Pointer[map[httpKey]prometheus.Observer]

	groupSize   *prometheus.HistogramVec
	commitDur   *prometheus.HistogramVec
	checkpoints *prometheus.CounterVec
	walPages    *prometheus.GaugeVec

	mails    *prometheus.CounterVec
	mailSent prometheus.Counter
	mailFail prometheus.Counter

	cronRuns *prometheus.CounterVec
	backups  *prometheus.CounterVec

	funcMu sync.Mutex
	funcs  map[string]prometheus.Collector
}

type httpKey struct {
	route, method string
	status        int
}

// NewMetrics returns the collectors registered on a new registry, with the
// Go runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), funcs: map[string]prometheus.Collector{}}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.httpDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: "http",
		Name:    "request_duration_seconds",
		Help:    "HTTP requests by route template, method and status; _count is the request count.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}},
		[]string{"route", "method", "status"})
	m.groupSize = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: "db",
		Name: "write_group_size", Help: "Writes committed per group-commit transaction; _count is the commits.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}}, []string{"db"})
	m.commitDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: "db",
		Name: "commit_duration_seconds", Help: "Time of each group's COMMIT.",
		Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}}, []string{"db"})
	m.checkpoints = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "db",
		Name: "checkpoints_total", Help: "WAL checkpoints run, by who ran them (background or writer) and outcome."},
		[]string{"db", "by", "outcome"})
	m.walPages = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "db",
		Name: "wal_pages", Help: "WAL length in pages after the last checkpoint."}, []string{"db"})
	m.mails = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "mail",
		Name: "messages_total", Help: "Mails handed to the mailer, by outcome (sent or failed)."}, []string{"outcome"})
	m.mailSent = m.mails.WithLabelValues("sent")
	m.mailFail = m.mails.WithLabelValues("failed")
	m.cronRuns = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "cron",
		Name: "runs_total", Help: "Cron job runs by job id and outcome (ok, error, skipped, or elsewhere: another node claimed the tick)."}, []string{"job", "outcome"})
	m.backups = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "backup",
		Name: "operations_total", Help: "Backups created and restored, by outcome."}, []string{"operation", "outcome"})
	m.reg.MustRegister(m.httpDur, m.groupSize, m.commitDur, m.checkpoints, m.walPages, m.mails, m.cronRuns, m.backups)
	empty := map[httpKey]prometheus.Observer{}
	m.httpObs.Store(&empty)
	return m
}

// Registry returns the registry (for tests and custom collectors).
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// Handler serves the registry in the Prometheus text exposition format
// (or OpenMetrics when the scraper asks for it).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// normMethod maps a request method to a bounded label value.
func normMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete, http.MethodHead, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// ObserveHTTP records one request on the route template (OtherRoute or ""
// for none) with its method, status and duration in seconds. The label
// child is resolved once per label set and then found without allocating.
func (m *Metrics) ObserveHTTP(route, method string, status int, seconds float64) {
	if m == nil {
		return
	}
	if route == "" {
		route = OtherRoute
	}
	if status < 100 || status > 599 {
		status = 0
	}
	k := httpKey{route, method, status}
	if o, ok := (*m.httpObs.Load())[k]; ok {
		o.Observe(seconds)
		return
	}
	m.httpChild(k).Observe(seconds)
}

func (m *Metrics) httpChild(k httpKey) prometheus.Observer {
	m.httpMu.Lock()
	defer m.httpMu.Unlock()
	cur := *m.httpObs.Load()
	if o, ok := cur[k]; ok {
		return o
	}
	orig := k
	k.method = normMethod(k.method)
	if len(cur) >= maxHTTPSeries {
		k.route = OtherRoute
	}
	o := m.httpDur.WithLabelValues(k.route, k.method, strconv.Itoa(k.status))
	if len(cur) >= maxHTTPSeries {
		return o // not cached: the map stays bounded
	}
	next := make(map[httpKey]prometheus.Observer, len(cur)+1)
	for kk, v := range cur {
		next[kk] = v
	}
	next[orig] = o
	m.httpObs.Store(&next)
	return o
}

// DBMetrics are the pre-resolved collectors of one database ("data" or
// "aux"). A nil *DBMetrics does nothing.
type DBMetrics struct {
	groupSize prometheus.Observer
	commit    prometheus.Observer
	walPages  prometheus.Gauge
	cp        map[[2]string]prometheus.Counter
}

// DB returns the collectors of the database named name.
func (m *Metrics) DB(name string) *DBMetrics {
	if m == nil {
		return nil
	}
	d := &DBMetrics{groupSize: m.groupSize.WithLabelValues(name), commit: m.commitDur.WithLabelValues(name),
		walPages: m.walPages.WithLabelValues(name), cp: map[[2]string]prometheus.Counter{}}
	for _, by := range []string{"background", "writer"} {
		for _, out := range []string{"ok", "busy", "error"} {
			d.cp[[2]string{by, out}] = m.checkpoints.WithLabelValues(name, by, out)
		}
	}
	return d
}

// Commit records a group commit of n writes that took seconds.
func (d *DBMetrics) Commit(n int, seconds float64) {
	if d == nil {
		return
	}
	d.groupSize.Observe(float64(n))
	d.commit.Observe(seconds)
}

// Checkpoint records a checkpoint run by "background" or "writer" with its
// outcome ("ok", "busy" or "error") and, when ok, the WAL pages left.
func (d *DBMetrics) Checkpoint(by, outcome string, pages int) {
	if d == nil {
		return
	}
	if c, ok := d.cp[[2]string{by, outcome}]; ok {
		c.Inc()
	}
	if outcome == "ok" {
		d.walPages.Set(float64(pages))
	}
}

// Mail records one mail handed to the mailer: sent when err is nil.
func (m *Metrics) Mail(err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.mailFail.Inc()
		return
	}
	m.mailSent.Inc()
}

// CronRun records a run of job with outcome "ok", "error" or "skipped".
// Job ids are registered by code, so the label stays bounded.
func (m *Metrics) CronRun(job, outcome string) {
	if m == nil {
		return
	}
	m.cronRuns.WithLabelValues(job, outcome).Inc()
}

// Backup records a backup operation ("create" or "restore") and its
// outcome ("ok" or "error").
func (m *Metrics) Backup(operation string, err error) {
	if m == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.backups.WithLabelValues(operation, outcome).Inc()
}

// FuncKind says whether a function metric is a gauge or a counter.
type FuncKind int

// The function metric kinds.
const (
	Gauge FuncKind = iota
	Counter
)

// Func registers a metric whose value fn computes at scrape time, which
// costs the measured code nothing. Registering the same name and labels
// again replaces the previous function (a reopened store or a new broker
// takes over its series).
func (m *Metrics) Func(kind FuncKind, name, help string, labels prometheus.Labels, fn func() float64) {
	if m == nil {
		return
	}
	var c prometheus.Collector
	opts := prometheus.Opts{Namespace: Namespace, Name: name, Help: help, ConstLabels: labels}
	if kind == Counter {
		c = prometheus.NewCounterFunc(prometheus.CounterOpts(opts), fn)
	} else {
		c = prometheus.NewGaugeFunc(prometheus.GaugeOpts(opts), fn)
	}
	key := name
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		key += "|" + k + "=" + labels[k]
	}
	m.funcMu.Lock()
	defer m.funcMu.Unlock()
	if old, ok := m.funcs[key]; ok {
		m.reg.Unregister(old)
	}
	if err := m.reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			panic(err) // a name clash in our own code
		}
		m.reg.Unregister(are.ExistingCollector)
		m.reg.MustRegister(c)
	}
	m.funcs[key] = c
}
