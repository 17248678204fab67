public import Foundation
import ParleyModel
#if canImport(Glibc)
import Glibc
#endif

/// What a program run to its end left.
public struct ProgramRun: Sendable {
    /// Its exit status (`SIGKILL`'s number when it outlived its time and was killed).
    public var status: Int32
    public var stdout: Data
    public var stderr: String
    /// Standard output as text.
    public var output: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs `executable` with `arguments` to its exit, with `environment` added to this process's
/// and `stdin` on its standard input (then its end). Standard error is read after standard
/// output, so for short error output only. A program still running after `seconds` is killed,
/// so that a test of one that should end fails instead of hanging.
public func runProgramBlocking(
    _ executable: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], seconds: Double = 120
) throws -> ProgramRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, mine in mine }
    let out = ProcessLaunch.pipe(), err = ProcessLaunch.pipe(), input = ProcessLaunch.pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try ProcessLaunch.run(process)
    let pid = process.processIdentifier
    let deadline = DispatchWorkItem { kill(pid, SIGKILL) }
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: deadline)
    defer { deadline.cancel() }
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return ProgramRun(status: process.terminationStatus, stdout: stdout, stderr: stderr)
}

/// ``runProgramBlocking(_:_:stdin:environment:seconds:)`` off the cooperative pool (see ``offThePool(_:)``).
public func runProgram(
    _ executable: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], seconds: Double = 120
) async throws -> ProgramRun {
    try await offThePool { try runProgramBlocking(executable, arguments, stdin: stdin, environment: environment, seconds: seconds) }
}
