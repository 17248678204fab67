import Foundation
import Synchronization
public import ParleyLog
public import ParleyPluginHost
public import Prometheus

/// The daemon's metrics, made in a Prometheus registry of its own (so several daemons in one test
/// process keep apart), each with a `# HELP` line that says what it measures and in which unit,
/// and the text `/metrics` serves.
public final class DaemonMetrics: Sendable {
    /// The registry `/metrics` prints.
    public let registry: PrometheusCollectorRegistry
    /// A swift-metrics factory over ``registry``, bootstrapped as the process's metrics system by
    /// `parleyd` so that library metrics land in the same registry. The daemon's own metrics are
    /// made on the registry directly: the factory would give them no help text. A library metric
    /// must not take one of their names, since the registry stops the process on a family whose
    /// help text differs.
    public let factory: PrometheusMetricsFactory

    let eventsAppended: Counter
    let commitEvents: ValueHistogram
    let commitBatches: ValueHistogram
    let commitDuration: DurationHistogram
    let viewLag: Gauge
    let logHead: Gauge
    let viewCheckpoint: Gauge
    let streamClients: Gauge
    let slaBreached: Gauge
    let slaPending: Gauge
    let dataBytes: Gauge
    let dataFreeBytes: Gauge
    let dataFileSystemBytes: Gauge
    /// The request counter and histogram of each route, method and status seen: made once, since
    /// making them (a registry lookup under its lock, the labels formatted) cost more than the
    /// rest of recording a small request.
    private let requestMetrics = Mutex<[RequestKey: (count: Counter, duration: DurationHistogram)]>([:])

    private struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    /// The buckets of the commit and request durations, and of library timers: a quarter of a
    /// millisecond to 5 seconds.
    private static let durationBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
    ]
    /// The help texts of the request metrics: one per name, whatever the labels (the registry
    /// stops the process on a family whose help text changes).
    private static let requestsHelp = "HTTP requests answered, by route, method and status, in requests."
    private static let requestDurationHelp =
        "Time from a request's arrival to its response, by route, method and status, in seconds."

    /// Makes the metrics in a new registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.factory = factory
        eventsAppended = registry.makeCounter(
            descriptor: Self.descriptor(
                "parley_events_appended_total",
                help: "Events appended to the log since the daemon started, duplicates excluded, in events."))
        commitEvents = registry.makeValueHistogram(
            descriptor: Self.descriptor(
                "parley_commit_events",
                help: "Events appended by one group commit, duplicates excluded, in events."),
            buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000])
        commitBatches = registry.makeValueHistogram(
            descriptor: Self.descriptor(
                "parley_commit_batches",
                help: "Append requests joined into one group commit, in batches."),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256])
        commitDuration = registry.makeDurationHistogram(
            descriptor: Self.descriptor(
                "parley_commit_duration_seconds",
                help: "Time from the start of a group commit's transaction to the end of its fsync, in seconds."),
            buckets: Self.durationBuckets)
        viewLag = registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_view_lag_positions",
                help: "Events in the log that the views have not applied yet (head minus checkpoint), in log positions."))
        logHead = registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_log_head_position",
                help: "Position of the last event in the log, a log position."))
        viewCheckpoint = registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_view_checkpoint_position",
                help: "Position of the last event the views have applied, a log position."))
        streamClients = registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_sse_clients",
                help: "Clients connected to the server-sent event stream, in clients."))
        slaBreached = registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_support_sla_breached_tickets",
                help: "Support tickets whose first response breached the SLA policy, in tickets."))
        slaPending = registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_support_sla_pending_tickets",
                help: "Support tickets awaiting a first response that is not yet due, in tickets."))
        dataBytes = registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_data_bytes",
                help: "Size of the data directory's LMDB file data.mdb, in bytes."))
        dataFreeBytes = registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_data_free_bytes",
                help: "Free space on the data directory's file system, in bytes."))
        dataFileSystemBytes = registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_data_filesystem_bytes",
                help: "Size of the data directory's file system, in bytes."))
    }

    /// The metric `name`, which ends in its unit already (`_total`, `_seconds`, `_events`…),
    /// with `help` for its `# HELP` line.
    static func descriptor(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Records one group commit (the ``GroupCommitter`` hook).
    public func record(_ commit: GroupCommitter.Commit) {
        eventsAppended.increment(by: Int64(commit.events))
        commitEvents.record(Double(commit.events))
        commitBatches.record(Double(commit.batches))
        commitDuration.record(.nanoseconds(Int64(commit.seconds * 1e9)))
    }

    /// Records one HTTP request.
    func record(route: String, method: String, status: Int, nanoseconds: Int64) {
        let key = RequestKey(route: route, method: method, status: status)
        let metrics = requestMetrics.withLock { made in
            if let metrics = made[key] { return metrics }
            let labels = [("route", route), ("method", method), ("status", String(status))]
            let metrics = (
                count: registry.makeCounter(
                    descriptor: Self.descriptor("parley_http_requests_total", help: Self.requestsHelp), labels: labels),
                duration: registry.makeDurationHistogram(
                    descriptor: Self.descriptor(
                        "parley_http_request_duration_seconds",
                        help: Self.requestDurationHelp),
                    labels: labels, buckets: Self.durationBuckets))
            made[key] = metrics
            return metrics
        }
        metrics.count.increment()
        metrics.duration.record(.nanoseconds(nanoseconds))
    }

    /// Records the positions of the log and the views.
    func record(head: UInt64, checkpoint: UInt64) {
        logHead.set(to: Double(head))
        viewCheckpoint.set(to: Double(checkpoint))
        viewLag.set(to: Double(head >= checkpoint ? head - checkpoint : 0))
    }

    /// Records the size of the data directory's file and the space left on its file system.
    func recordDisk(directory: String) {
        if let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/data.mdb"))?[.size] as? NSNumber {
            dataBytes.set(to: size.doubleValue)
        }
        let fileSystem = try? FileManager.default.attributesOfFileSystem(forPath: directory)
        if let free = fileSystem?[.systemFreeSize] as? NSNumber { dataFreeBytes.set(to: free.doubleValue) }
        // The whole file system's size: what "10% free" is a share of.
        if let size = fileSystem?[.systemSize] as? NSNumber { dataFileSystemBytes.set(to: size.doubleValue) }
    }

    /// Records a plugin's state, labelled with its name: running, checkpoint, restarts, events
    /// delivered and emitted.
    public func record(_ plugin: PluginStatus) {
        let labels = [("plugin", plugin.name)]
        registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_plugin_running",
                help: "Whether a process of the plugin is running: 1 if so, 0 if not."),
            labels: labels
        ).set(to: plugin.running ? 1 : 0)
        registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_plugin_checkpoint",
                help: "The last position the plugin confirmed it has handled, a log position."),
            labels: labels
        ).set(to: Double(plugin.checkpoint))
        registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_plugin_restarts",
                help: "Times the plugin was started again after a failure, in restarts."),
            labels: labels
        ).set(to: Double(plugin.restarts))
        registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_plugin_events_delivered",
                help: "Events sent to the plugin, over all its processes, in events."),
            labels: labels
        ).set(to: Double(plugin.eventsDelivered))
        registry.makeGauge(
            descriptor: Self.descriptor(
                "parley_plugin_events_emitted",
                help: "Events appended from the plugin's emits, duplicates included, over all its processes, in events."),
            labels: labels
        ).set(to: Double(plugin.eventsEmitted))
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
