#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A JSON object: its members sorted bytewise (UTF-8) by key, each key once.
///
/// The members are kept in the canonical order of `EventCodec`, in a plain array. Objects in
/// events hold a handful of keys, and an array in key order costs no hashing to build or to look
/// up, and nothing to sort when it is encoded: the parser, the validator and the canonical writer
/// each walk it once. Keys compare by their bytes, as the spec orders and identifies them (not by
/// Unicode canonical equivalence, as `String ==` would).
public struct JSONObject: Sendable {
    public typealias Member = (key: String, value: JSONValue)

    /// The members, sorted bytewise by key.
    public private(set) var members: [Member]

    /// An empty object.
    public init() { members = [] }

    /// An empty object with room for `minimumCapacity` members.
    public init(minimumCapacity: Int) {
        members = []
        members.reserveCapacity(minimumCapacity)
    }

    /// The object of `members`, already sorted bytewise by key with no key twice (checked in
    /// debug builds only).
    init(sortedMembers members: [Member]) {
        assert(zip(members, members.dropFirst()).allSatisfy { $0.key.utf8Precedes($1.key) })
        self.members = members
    }

    /// The object of `members`, given in bytewise key order with no key twice, as the encoders
    /// of this package store them: decoders of such bytes skip the comparisons. The order is
    /// checked in debug builds only.
    public init(membersInKeyOrder members: [Member]) {
        self.init(sortedMembers: members)
    }

    /// The object of `members`; of members with the same key, the last wins.
    public init<S: Sequence>(_ members: S) where S.Element == Member {
        self.init()
        for (key, value) in members { self[key] = value }
    }

    /// The object of `members`, whose keys must differ (as `Dictionary(uniqueKeysWithValues:)`).
    public init<S: Sequence>(uniqueKeysWithValues members: S) where S.Element == (String, JSONValue) {
        self.init()
        for (key, value) in members {
            let slot = slot(of: key)
            precondition(!slot.found, "duplicate key \"\(key)\"")
            self.members.insert((key, value), at: slot.index)
        }
    }

    /// Where `key` is, or where it would go.
    @inline(__always)
    func slot(of key: String) -> (found: Bool, index: Int) {
        if members.count <= 16 {
            // Short objects: a scan, cheaper than the closures of a bytewise binary search.
            for i in members.indices {
                let other = members[i].key
                if Self.sameBytes(other, key) { return (true, i) }
                if !other.utf8Precedes(key) { return (false, i) }
            }
            return (false, members.count)
        }
        var low = 0, high = members.count
        while low < high {
            let mid = (low + high) / 2
            let other = members[mid].key
            if other.utf8Precedes(key) {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return (low < members.count && Self.sameBytes(members[low].key, key), low)
    }

    /// Whether `a` and `b` have the same UTF-8 bytes.
    @inline(__always)
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        // Equal bytes imply `==` (canonical equivalence), and `==` is a register compare for
        // short ASCII strings, so it settles the usual mismatch; a match is then checked bytewise.
        guard a == b else { return false }
        let n = a.utf8.count
        guard n == b.utf8.count else { return false }
        if let same = a.utf8.withContiguousStorageIfAvailable({ pa in
            b.utf8.withContiguousStorageIfAvailable { pb in n == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, n) == 0 }
        }), let same {
            return same
        }
        return a.utf8.elementsEqual(b.utf8)
    }

    /// The value of `key`; setting `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get {
            if members.count <= 16 {
                for member in members where Self.sameBytes(member.key, key) { return member.value }
                return nil
            }
            let slot = slot(of: key)
            guard slot.found else { return nil }
            return members[slot.index].value
        }
        set {
            // Members added in key order (decoders, builders) go to the end without a search.
            if let value = newValue, members.last.map({ $0.key.utf8Precedes(key) }) ?? true {
                members.append((key, value))
                return
            }
            let slot = slot(of: key)
            switch (slot.found, newValue) {
            case (true, let value?): members[slot.index].value = value
            case (true, nil): members.remove(at: slot.index)
            case (false, let value?): members.insert((key, value), at: slot.index)
            case (false, nil): break
            }
        }
    }

    /// Makes room for `minimumCapacity` members.
    public mutating func reserveCapacity(_ minimumCapacity: Int) { members.reserveCapacity(minimumCapacity) }

    /// The value of `key`, or `defaultValue` when it is absent.
    public subscript(key: String, default defaultValue: @autoclosure () -> JSONValue) -> JSONValue {
        get { self[key] ?? defaultValue() }
        set { self[key] = newValue }
    }

    /// Sets `key` to `value`, returning the value it replaced.
    @discardableResult
    public mutating func updateValue(_ value: JSONValue, forKey key: String) -> JSONValue? {
        let slot = slot(of: key)
        if slot.found {
            let old = members[slot.index].value
            members[slot.index].value = value
            return old
        }
        members.insert((key, value), at: slot.index)
        return nil
    }

    /// Removes `key`, returning its value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        let slot = slot(of: key)
        guard slot.found else { return nil }
        return members.remove(at: slot.index).value
    }

    /// The keys, in bytewise order.
    public var keys: [String] { members.map(\.key) }

    /// The values, in the order of their keys.
    public var values: [JSONValue] { members.map(\.value) }

    /// The object with every value transformed.
    public func mapValues(_ transform: (JSONValue) throws -> JSONValue) rethrows -> JSONObject {
        JSONObject(sortedMembers: try members.map { ($0.key, try transform($0.value)) })
    }

    /// The members that satisfy `isIncluded`, as an object.
    public func filter(_ isIncluded: (Member) throws -> Bool) rethrows -> JSONObject {
        JSONObject(sortedMembers: try members.filter(isIncluded))
    }

    /// Adds the members of `other`; `combine` picks the value of a key in both.
    public mutating func merge(_ other: JSONObject, uniquingKeysWith combine: (JSONValue, JSONValue) throws -> JSONValue) rethrows {
        self = try merging(other, uniquingKeysWith: combine)
    }

    /// This object with the members of `other` added; `combine` picks the value of a key in both.
    public func merging(_ other: JSONObject, uniquingKeysWith combine: (JSONValue, JSONValue) throws -> JSONValue) rethrows -> JSONObject {
        var merged = self
        for (key, value) in other.members {
            let slot = merged.slot(of: key)
            if slot.found {
                merged.members[slot.index].value = try combine(merged.members[slot.index].value, value)
            } else {
                merged.members.insert((key, value), at: slot.index)
            }
        }
        return merged
    }
}

extension JSONObject: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { members.count }
    public subscript(position: Int) -> Member { members[position] }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (a, b) in zip(lhs.members, rhs.members) where !sameBytes(a.key, b.key) || a.value != b.value {
            return false
        }
        return true
    }
}

extension JSONObject: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for (key, value) in members {
            hasher.combine(key)
            hasher.combine(value)
        }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init()
        for (key, value) in elements { self[key] = value }
    }
}

extension JSONObject: CustomStringConvertible {
    /// The object as canonical JSON.
    public var description: String { JSONWriter.string(.object(self)) }
}
