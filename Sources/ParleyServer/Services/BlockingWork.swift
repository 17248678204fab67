import Dispatch

/// Runs blocking storage work (LMDB reads, view reductions, catch-up) on Dispatch threads, so
/// that the few threads of Swift's cooperative pool keep serving requests meanwhile.
enum BlockingWork {
    private static let queue = DispatchQueue(label: "parley.blocking", qos: .userInitiated, attributes: .concurrent)

    /// The result of `body`, run on a Dispatch thread.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
        }
    }
}
