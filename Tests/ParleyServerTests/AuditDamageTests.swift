import Foundation
import ParleyDemo
import ParleyModel
import ParleyTestSupport
import Testing

/// `parley audit verify` on a damaged data file answers, it does not crash: LMDB trusts its
/// pages, and a flipped bit in a page header can send it through a wild pointer.
@Suite struct AuditDamageTests {
    @Test func flippedBitsInPageHeadersAreReportedNotCrashedOn() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let demo = try await offThePool { try CLIThroughServerTests.run(["demo", "--days", "30", "--members", "80", "--until", "2026-03-31T00:00:00Z"], stdin: nil, environment: [:]) }
        let imported = try await offThePool { try CLIThroughServerTests.run(["import", "-", "--data", directory], stdin: Data(demo.out.utf8), environment: [:]) }
        #expect(imported.status == 0, "\(imported.err)")
        let original = try Data(contentsOf: URL(fileURLWithPath: directory + "/data.mdb"))
        let pages = original.count / 4096
        // A new seed each run covers more damage over time; a failure names it, and
        // PARLEY_DAMAGE_SEED=N repeats that run.
        let seed = ProcessInfo.processInfo.environment["PARLEY_DAMAGE_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        var outcomes: [Int32: Int] = [:]
        var crashesCaught = 0
        for _ in 0..<40 {
            let copy = temporaryPath()
            defer { try? FileManager.default.removeItem(atPath: copy) }
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
            var damaged = original
            // A page's header and first node pointers: the bytes LMDB follows without checking.
            let offset = Int.random(in: 2..<pages, using: &random) * 4096 + Int.random(in: 0..<64, using: &random)
            damaged[offset] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
            try damaged.write(to: URL(fileURLWithPath: copy + "/data.mdb"))
            let audit = try await offThePool { try CLIThroughServerTests.run(["audit", "verify", "--data", copy, "--json"], stdin: nil, environment: [:]) }
            outcomes[audit.status, default: 0] += 1
            #expect(audit.status == 0 || audit.status == 1, "seed \(seed), byte \(offset): exit \(audit.status)\n\(audit.err.prefix(600))")
            guard audit.status == 1 else { continue }
            // The audit's answer is the last line: an assertion of LMDB's may print its own first.
            let last = audit.err.split(separator: "\n").last.map(String.init) ?? ""
            #expect(last.hasPrefix("parley: audit failed"), "seed \(seed), byte \(offset): \(audit.err.prefix(600))")
            #expect(try JSONParser.parse(audit.out)["ok"] == false, "seed \(seed), byte \(offset): \(audit.out)")
            if audit.err.contains("reading it crashed LMDB") { crashesCaught += 1 }
        }
        // A file that cannot be opened at all fails the audit in the same form.
        let cut = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: cut) }
        try FileManager.default.createDirectory(atPath: cut, withIntermediateDirectories: true)
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: cut + "/data.mdb"))
        let audit = try await offThePool { try CLIThroughServerTests.run(["audit", "verify", "--data", cut, "--json"], stdin: nil, environment: [:]) }
        #expect(audit.status == 1)
        #expect(try JSONParser.parse(audit.out)["ok"] == false, "\(audit.out)")
        #expect(audit.err.contains("is truncated"), "\(audit.err)")
        #expect(audit.err.hasPrefix("parley: audit failed"), "\(audit.err)")
        // So does an LMDB file of another layout (a damaged page can make the log's look like
        // one): here the views' index of the log, copied in as its data file.
        let views = try await offThePool { try CLIThroughServerTests.run(["support", "sla", "--data", directory], stdin: nil, environment: [:]) }
        #expect(views.status == 0, "\(views.err)")
        let foreign = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: foreign) }
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: directory + "/views/data.mdb", toPath: foreign + "/data.mdb")
        let other = try await offThePool { try CLIThroughServerTests.run(["audit", "verify", "--data", foreign, "--json"], stdin: nil, environment: [:]) }
        #expect(other.status == 1)
        #expect(try JSONParser.parse(other.out)["ok"] == false, "\(other.out)")
        #expect(other.err.hasPrefix("parley: audit failed") && other.err.contains("not a Parley log"), "\(other.err)")
        // For the record: how often LMDB crashed and was caught.
        print("audit verify on 40 damaged copies (seed \(seed)): exits \(outcomes), LMDB crashes caught \(crashesCaught)")
    }
}
