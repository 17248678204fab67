import CoreMetrics
import Foundation
import Synchronization
public import ParleyLog
public import Prometheus

/// The daemon's metrics, made through swift-metrics with a Prometheus factory of its own (so
/// several daemons in one test process keep apart), and the text `/metrics` serves.
public final class DaemonMetrics: Sendable {
    /// The registry `/metrics` prints.
    public let registry: PrometheusCollectorRegistry
    /// The factory every metric of the daemon is made with (also bootstrapped as the process's
    /// metrics system by `parleyd`, so library metrics land in the same registry).
    public let factory: PrometheusMetricsFactory

    let eventsAppended: CoreMetrics.Counter
    let commitEvents: CoreMetrics.Recorder
    let commitBatches: CoreMetrics.Recorder
    let commitDuration: CoreMetrics.Timer
    let viewLag: CoreMetrics.Gauge
    let logHead: CoreMetrics.Gauge
    let viewCheckpoint: CoreMetrics.Gauge
    let streamClients: CoreMetrics.Gauge
    let slaBreached: CoreMetrics.Gauge
    let slaPending: CoreMetrics.Gauge
    let dataBytes: CoreMetrics.Gauge
    let dataFreeBytes: CoreMetrics.Gauge
    let dataFileSystemBytes: CoreMetrics.Gauge
    /// The request counter and timer of each route, method and status seen: made once, since
    /// making them (a registry lookup under its lock, the labels formatted) cost more than the
    /// rest of recording a small request.
    private let requestMetrics = Mutex<[RequestKey: (count: CoreMetrics.Counter, duration: CoreMetrics.Timer)]>([:])

    private struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    /// Makes the metrics in a new registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        let fine: [Duration] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        ]
        factory.defaultDurationHistogramBuckets = fine
        factory.valueHistogramBuckets["parley_commit_events"] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000]
        factory.valueHistogramBuckets["parley_commit_batches"] = [1, 2, 4, 8, 16, 32, 64, 128, 256]
        self.factory = factory
        eventsAppended = CoreMetrics.Counter(label: "parley_events_appended_total", factory: factory)
        commitEvents = CoreMetrics.Recorder(label: "parley_commit_events", aggregate: true, factory: factory)
        commitBatches = CoreMetrics.Recorder(label: "parley_commit_batches", aggregate: true, factory: factory)
        commitDuration = CoreMetrics.Timer(label: "parley_commit_duration_seconds", factory: factory)
        viewLag = CoreMetrics.Gauge(label: "parley_view_lag_positions", factory: factory)
        logHead = CoreMetrics.Gauge(label: "parley_log_head_position", factory: factory)
        viewCheckpoint = CoreMetrics.Gauge(label: "parley_view_checkpoint_position", factory: factory)
        streamClients = CoreMetrics.Gauge(label: "parley_sse_clients", factory: factory)
        slaBreached = CoreMetrics.Gauge(label: "parley_support_sla_breached_tickets", factory: factory)
        slaPending = CoreMetrics.Gauge(label: "parley_support_sla_pending_tickets", factory: factory)
        dataBytes = CoreMetrics.Gauge(label: "parley_data_bytes", factory: factory)
        dataFreeBytes = CoreMetrics.Gauge(label: "parley_data_free_bytes", factory: factory)
        dataFileSystemBytes = CoreMetrics.Gauge(label: "parley_data_filesystem_bytes", factory: factory)
    }

    /// Records one group commit (the ``GroupCommitter`` hook).
    public func record(_ commit: GroupCommitter.Commit) {
        eventsAppended.increment(by: commit.events)
        commitEvents.record(commit.events)
        commitBatches.record(commit.batches)
        commitDuration.recordNanoseconds(Int64(commit.seconds * 1e9))
    }

    /// Records one HTTP request.
    func record(route: String, method: String, status: Int, nanoseconds: Int64) {
        let key = RequestKey(route: route, method: method, status: status)
        let metrics = requestMetrics.withLock { made in
            if let metrics = made[key] { return metrics }
            let dimensions = [("route", route), ("method", method), ("status", String(status))]
            let metrics = (
                count: CoreMetrics.Counter(label: "parley_http_requests_total", dimensions: dimensions, factory: factory),
                duration: CoreMetrics.Timer(label: "parley_http_request_duration_seconds", dimensions: dimensions, factory: factory))
            made[key] = metrics
            return metrics
        }
        metrics.count.increment()
        metrics.duration.recordNanoseconds(nanoseconds)
    }

    /// Records the positions of the log and the views.
    func record(head: UInt64, checkpoint: UInt64) {
        logHead.record(Double(head))
        viewCheckpoint.record(Double(checkpoint))
        viewLag.record(Double(head >= checkpoint ? head - checkpoint : 0))
    }

    /// Records the size of the data directory's file and the space left on its file system.
    func recordDisk(directory: String) {
        if let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/data.mdb"))?[.size] as? NSNumber {
            dataBytes.record(size.doubleValue)
        }
        let fileSystem = try? FileManager.default.attributesOfFileSystem(forPath: directory)
        if let free = fileSystem?[.systemFreeSize] as? NSNumber { dataFreeBytes.record(free.doubleValue) }
        // The whole file system's size: what "10% free" is a share of.
        if let size = fileSystem?[.systemSize] as? NSNumber { dataFileSystemBytes.record(size.doubleValue) }
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
