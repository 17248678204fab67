/// Where each key sits in an array of records kept by its owner, places `0..<count` in the
/// order the keys came: an open-addressing hash table of places that keeps each key's hash, so
/// that growing it puts the places back without hashing a key again.
///
/// The owner hashes its keys and tells equal ones apart (the `matches` closures, given a place);
/// the index never holds a key. A used slot holds the high 32 bits of its key's hash beside its
/// place, so a probe reads the owner's record only when those agree.
///
/// The support view's `[String: Int]` of tickets rehashed every id at each doubling and read a
/// key at each step of a probe: with 2,000,000 tickets, about a third of its fold. The writer's
/// own table of a commit's streams, without the tags, read a stream's entry at each step.
public struct PlaceIndex: Sendable {
    /// The hash of the key at each place.
    @usableFromInline var hashes: [Int] = []
    /// A power of two of slots, at most half of them used: a used one holds the high 32 bits of
    /// its key's hash and its place + 1, an empty one 0.
    @usableFromInline var slots: [UInt64]

    /// What a lookup found: the key's place, or the slot where a new key would go.
    public enum Lookup {
        case found(place: Int)
        /// Valid for an ``insert(hash:at:)`` until the index changes.
        case absent(slot: Int)
    }

    /// An empty index with room for `capacity` places before it grows.
    public init(capacity: Int = 8) {
        slots = Array(repeating: 0, count: Self.slotCount(holding: capacity))
        hashes.reserveCapacity(capacity)
    }

    /// Places used.
    @inlinable public var count: Int { hashes.count }

    /// Makes room for `capacity` places without growing again.
    public mutating func reserveCapacity(_ capacity: Int) {
        hashes.reserveCapacity(capacity)
        if Self.slotCount(holding: capacity) > slots.count { rebuild(slotCount: Self.slotCount(holding: capacity)) }
    }

    /// The place of the key with hash `hash` for which `matches(place)` holds, or the slot to
    /// insert it at: linear probing from the hash, which an empty slot always ends.
    @inlinable public func lookup(hash: Int, matches: (Int) -> Bool) -> Lookup {
        let mask = slots.count - 1
        let tag = Self.tag(hash)
        var i = hash & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return .absent(slot: i) }
            if slot & 0xFFFF_FFFF_0000_0000 == tag {
                let place = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                if matches(place) { return .found(place: place) }
            }
            i = (i + 1) & mask
        }
    }

    /// Gives a new key, hashed `hash`, the next place (``count``), in `slot` of an
    /// ``Lookup/absent(slot:)`` from the index as it is. Returns the place.
    @discardableResult @inlinable public mutating func insert(hash: Int, at slot: Int) -> Int {
        let place = hashes.count
        precondition(slots[slot] == 0 && place < Int(UInt32.max), "PlaceIndex.insert: not a free slot")
        slots[slot] = Self.tag(hash) | UInt64(place + 1)
        hashes.append(hash)
        if hashes.count * 2 > slots.count { rebuild(slotCount: slots.count * 2) }
        return place
    }

    @inlinable static func tag(_ hash: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: hash >> 32)) << 32
    }

    /// Slots for `count` places at most half full: a power of two, at least 16.
    static func slotCount(holding count: Int) -> Int {
        var size = 16
        while size < count * 2 { size *= 2 }
        return size
    }

    /// A table of `slotCount` slots with every place put back by its kept hash.
    @usableFromInline mutating func rebuild(slotCount: Int) {
        var table = [UInt64](repeating: 0, count: slotCount)
        let mask = slotCount - 1
        for (place, hash) in hashes.enumerated() {
            var i = hash & mask
            while table[i] != 0 { i = (i + 1) & mask }
            table[i] = Self.tag(hash) | UInt64(place + 1)
        }
        slots = table
    }
}
