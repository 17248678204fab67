public import Foundation

/// A new temporary directory path (not created).
public func temporaryPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("parley-test-\(UUID().uuidString)").path
}

/// Runs `body` on a thread of its own and waits for it without holding a thread of Swift's
/// cooperative pool. The pool has one thread per core (two here); a test that blocks one (a
/// child process, a pipe) while another test does the same starves every in-process daemon
/// running at that moment, whose requests then time out: waits on processes go through here.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
