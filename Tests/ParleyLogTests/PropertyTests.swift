import Foundation
import Testing
import ParleyDemo
import ParleyLog
import ParleyModel

/// A plain in-memory model of the log's rules, to check the real log against.
private struct LogModel {
    var versions: [String: Int] = [:]
    var facts: [String: (position: UInt64, event: NewEvent)] = [:]
    var events: [(stream: String, version: Int, n: Int)] = []

    /// The positions the batch gets, or nil when it must be refused.
    mutating func append(_ batch: [NewEvent]) -> [UInt64]? {
        var copy = self
        var positions: [UInt64] = []
        for event in batch {
            if let id = event.id, let known = copy.facts[id] {
                guard known.event.sameFact(as: event) else { return nil }
                positions.append(known.position)
                continue
            }
            let current = copy.versions[event.stream, default: 0]
            if let expected = event.expectedVersion, Int(expected) != current { return nil }
            copy.versions[event.stream] = current + 1
            copy.events.append((event.stream, current + 1, event.data["n"]!.intValue.map(Int.init)!))
            let position = UInt64(copy.events.count)
            if let id = event.id { copy.facts[id] = (position, event) }
            positions.append(position)
        }
        self = copy
        return positions
    }
}

@Suite struct PropertyTests {
    @Test(arguments: [1, 2, 3, 4, 5])
    func randomBatchesMatchTheModel(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        var model = LogModel()
        try withTemporaryLog { log, _ throws in
            for _ in 0..<80 {
                // One to four batches in one commit, as the group committer makes them: each
                // batch sees the ids and stream versions of the commit's earlier ones, and one
                // that is refused leaves no trace for the later ones.
                var batches: [[NewEvent]] = []
                var expected: [[UInt64]?] = []
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    var batch: [NewEvent] = []
                    for _ in 0..<Int.random(in: 1...5, using: &rng) {
                        let stream = "s\(Int.random(in: 0..<4, using: &rng))"
                        let id: String? = Bool.random(using: &rng) ? "id\(Int.random(in: 0..<25, using: &rng))" : nil
                        let current = Int64(model.versions[stream, default: 0])
                        let expected: Int64? = switch Int.random(in: 0..<6, using: &rng) {
                        case 0: 0
                        case 1: current
                        case 2: current + 1
                        case 3: max(0, current - 1)
                        default: nil
                        }
                        batch.append(note(stream, id: id, expected: expected, n: Int.random(in: 0..<2, using: &rng)))
                    }
                    batches.append(batch)
                    expected.append(model.append(batch))
                }
                let results = try log.append(batches: batches)
                for (result, (batch, positions)) in zip(results, zip(batches, expected)) {
                    switch result {
                    case .success(let outcome): #expect(outcome.positions == positions, "batch \(batch)")
                    case .failure(let error): #expect(positions == nil, "refused: \(error)")
                    }
                }
            }
            let stored = try log.read()
            #expect(stored.count == model.events.count)
            for (event, modelled) in zip(stored, model.events) {
                #expect(event.stream == modelled.stream)
                #expect(Int(event.version) == modelled.version)
                #expect(event.data["n"]?.intValue == Int64(modelled.n))
            }
            if case .failure(let f) = try log.verify() { Issue.record("\(f)") }
        }
    }

    @Test func groupedBatchesFailAlone() throws {
        try withTemporaryLog { log, _ throws in
            let results = try log.append(batches: [[note("a")], [note("a", expected: 5)], [note("a", expected: 1)]])
            #expect((try? results[0].get())?.positions == [1])
            #expect((try? results[1].get()) == nil)
            #expect((try? results[2].get())?.positions == [2])
            let stopped = try log.append(batches: [[note("b")], [note("b", expected: 7)], [note("b")]], stopAtFailure: true)
            #expect((try? stopped[0].get())?.positions == [3])
            #expect((try? stopped[2].get()) == nil)
            #expect(try log.head() == 3)
        }
    }
}
