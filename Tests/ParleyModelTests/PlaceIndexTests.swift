import Testing
import ParleyModel

/// `PlaceIndex` answers what a `[String: Int]` of first places answers, through every growth of
/// its table, for keys that are new, repeated or absent, and for hashes that collide.
@Suite struct PlaceIndexTests {
    /// An owner of keys, as the support view's tickets or the writer's streams are.
    struct Keys {
        var index: PlaceIndex
        var keys: [String] = []
        let hash: (String) -> Int

        init(capacity: Int = 8, hash: @escaping (String) -> Int = { $0.hashValue }) {
            index = PlaceIndex(capacity: capacity)
            self.hash = hash
        }

        func place(of key: String) -> Int? {
            guard case .found(let place) = index.lookup(hash: hash(key), matches: { keys[$0] == key }) else { return nil }
            return place
        }

        mutating func insert(_ key: String) -> (place: Int, inserted: Bool) {
            switch index.lookup(hash: hash(key), matches: { keys[$0] == key }) {
            case .found(let place): return (place, false)
            case .absent(let slot):
                keys.append(key)
                return (index.insert(hash: hash(key), at: slot), true)
            }
        }
    }

    /// Keys drawn from a small set, so that most come back, in runs that cross many doublings;
    /// with Swift's hash, and with hashes that share their high bits, their low bits, or all.
    @Test(arguments: ["swift", "same high bits", "same low bits", "four hashes"])
    func everyKeyKeepsItsFirstPlace(hashing: String) {
        let hash: (String) -> Int
        switch hashing {
        case "same high bits": hash = { $0.hashValue & 0xFFFF_FFFF }
        case "same low bits": hash = { $0.hashValue & ~0xFFFF }
        case "four hashes": hash = { $0.utf8.count % 4 }
        default: hash = { $0.hashValue }
        }
        var g = SystemRandomNumberGenerator()
        let distinct = hashing == "four hashes" ? 300 : 5_000
        for capacity in [0, 1_000] {
            var keys = Keys(capacity: capacity, hash: hash)
            var reference: [String: Int] = [:]
            for _ in 0..<(4 * distinct) {
                let n = Int.random(in: 0..<distinct, using: &g)
                let key = n.isMultiple(of: 3) ? "a-long-key-kept-on-the-heap-\(n)" : "k\(n)"
                let (place, inserted) = keys.insert(key)
                if let known = reference[key] {
                    #expect(!inserted && place == known, "\(key)")
                } else {
                    #expect(inserted && place == reference.count, "\(key)")
                    reference[key] = reference.count
                }
                #expect(keys.index.count == reference.count)
            }
            for (key, place) in reference { #expect(keys.place(of: key) == place, "\(key)") }
            for n in distinct..<(distinct + 500) { #expect(keys.place(of: "k\(n)") == nil) }
        }
        #expect(Keys().place(of: "") == nil)
    }

    /// A copy is a value: inserting into one leaves the other as it was.
    @Test func copiesAreIndependent() {
        var a = Keys()
        for n in 0..<100 { _ = a.insert("k\(n)") }
        var b = a
        for n in 100..<1_000 { _ = b.insert("k\(n)") }
        #expect(a.index.count == 100 && b.index.count == 1_000)
        #expect(a.place(of: "k500") == nil && b.place(of: "k500") == 500)
        #expect(a.place(of: "k99") == 99)
    }

    /// Reserving room keeps every place.
    @Test func reservingKeepsThePlaces() {
        var keys = Keys()
        for n in 0..<50 { _ = keys.insert("k\(n)") }
        keys.index.reserveCapacity(10_000)
        for n in 0..<50 { #expect(keys.place(of: "k\(n)") == n) }
        #expect(keys.insert("k50") == (50, true))
    }
}
