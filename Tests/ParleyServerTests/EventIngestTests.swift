import Foundation
import HTTPTypes
import Logging
import ParleyLog
import ParleyModel
import ParleyProjections
@testable import ParleyServer
import ParleyViews
import ParleyTestSupport
import Testing

/// Appends wait for views that fall too far behind, and only so long.
@Suite struct EventIngestTests {
    static func notes(_ count: Int, from first: Int = 0) -> [NewEvent] {
        (first..<(first + count)).map { i in
            NewEvent(stream: "s\(i % 3)", type: "test.note", time: Instant(microseconds: 1_780_000_000_000_000), data: ["n": .int(Int64(i))])
        }
    }

    @Test func appendsWaitWhileTheViewsAreTooFarBehind() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ingest = try EventIngest(log: EventLog(directory: directory), metrics: DaemonMetrics(), maxViewLag: 10, maxViewWaitSeconds: 60)
        // The views hold nothing yet: 15 positions behind after this.
        _ = try await ingest.append(Self.notes(15))
        let next = Task { try await ingest.append(Self.notes(1, from: 15)) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try ingest.log.head() == 15, "an append went ahead of views 15 positions behind")
        // A catch-up to within the bound lets it through.
        ingest.viewCheckpoint.advance(to: 6)
        #expect(try await next.value.positions == [16])
        await ingest.shutdown()
    }

    @Test(.timeLimit(.minutes(1))) func anAppendGoesAheadAfterItsLongestWait() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logs = LogRecorder()
        let ingest = try EventIngest(
            log: EventLog(directory: directory), metrics: DaemonMetrics(), maxViewLag: 10, maxViewWaitSeconds: 0.2, logger: logs.logger)
        _ = try await ingest.append(Self.notes(15))
        #expect(logs.all.isEmpty)
        // No view service runs: the append waits its 0.2 s, then is written all the same, and
        // says so; the next one, as long, says nothing more.
        let start = ContinuousClock.now
        #expect(try await ingest.append(Self.notes(1, from: 15)).positions == [16])
        #expect(ContinuousClock.now - start >= .milliseconds(200))
        #expect(logs.contains("views lag behind the log", atLeast: .warning))
        #expect(try await ingest.append(Self.notes(1, from: 16)).positions == [17])
        #expect(logs.all.count == 1, "\(logs.all)")
        await ingest.shutdown()
    }

    /// An ingest let go without a shutdown (parleyd's start failing after the writer started,
    /// on a damaged view index) stops its writer rather than abort the process.
    @Test func anIngestLetGoWithoutAShutdownStopsItsWriter() throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try EventLog(directory: directory)
        for _ in 0..<50 { _ = try EventIngest(log: log, metrics: DaemonMetrics()) }
    }

    /// Waiting for a position goes on through smaller steps: every advance wakes every waiter,
    /// and a view query took the first partial catch-up for the end of its wait (503 after a
    /// second or less instead of 200 within its 5 s).
    @Test(.timeLimit(.minutes(1))) func waitingForAPositionOutlastsSmallerSteps() async throws {
        let signal = LogHeadSignal(head: 0)
        let waiter = Task { await signal.wait(reaching: 10, atMost: 30) }
        try await Task.sleep(for: .milliseconds(50))
        signal.advance(to: 4)
        try await Task.sleep(for: .milliseconds(50))
        signal.advance(to: 9)
        try await Task.sleep(for: .milliseconds(50))
        signal.advance(to: 12)
        #expect(await waiter.value == 12)
        // Past its time, it returns where the head is.
        #expect(await signal.wait(reaching: 20, atMost: 0.05) == 12)
    }

    /// A view query never answers from views that lack what the log held on its arrival: when
    /// they do not catch up within the wait (no view service runs here), 503 and Retry-After.
    @Test(.timeLimit(.minutes(1))) func aViewQueryRefusesViewsThatLag() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ingest = try EventIngest(log: EventLog(directory: directory), metrics: DaemonMetrics())
        _ = try await ingest.append(Self.notes(3))
        var limits = ServerLimits()
        limits.maxViewWaitSeconds = 0.1
        let views = try ViewService(index: ViewIndex(log: ingest.log), ingest: ingest, metrics: DaemonMetrics(), limits: limits, logger: Logger(label: "test"))
        await #expect { _ = try await views.answer(ViewRequest(name: .supportSLA)) } throws: { error in
            guard let error = error as? APIError else { return false }
            return error.status == .serviceUnavailable && error.headers[.retryAfter] == "1"
                && error.message.contains("still catching up with the log (at position 0 of 3)")
        }
        // Caught up, it answers.
        try await views.catchUp()
        #expect(try await views.answer(ViewRequest(name: .supportSLA)).objectValue?["tickets"] != nil)
        await ingest.shutdown()
    }
}
