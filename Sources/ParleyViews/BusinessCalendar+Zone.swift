import Foundation
public import ParleyModel

extension BusinessCalendar {
    /// The UTC offsets of one IANA time zone, as a table of transitions read once from Foundation
    /// and then looked up by binary search, so that calendars need no Foundation call per day.
    ///
    /// The table covers 1800 to 2200; outside it every lookup asks Foundation directly.
    /// Complexity: O(log n) per lookup, n being the number of transitions (a few hundred).
    public final class Zone: Sendable {
        /// The IANA name.
        public let identifier: String
        private let timeZone: TimeZone
        /// UTC seconds of each transition, ascending.
        private let transitions: [Int64]
        /// The offset in force from each transition on, in seconds east of UTC.
        private let offsets: [Int64]
        /// The offset before the first transition.
        private let initialOffset: Int64
        /// The UTC seconds the table is exact for: `lowerBound ..< upperBound`.
        private let lowerBound: Int64 = -5_364_662_400  // 1800-01-01
        private let upperBound: Int64 = 7_258_118_400  // 2200-01-01

        private init(_ timeZone: TimeZone) {
            self.timeZone = timeZone
            identifier = timeZone.identifier
            let end = Date(timeIntervalSince1970: Double(upperBound))
            var at = Date(timeIntervalSince1970: Double(lowerBound))
            initialOffset = Int64(timeZone.secondsFromGMT(for: at))
            var transitions: [Int64] = []
            var offsets: [Int64] = []
            while let next = timeZone.nextDaylightSavingTimeTransition(after: at), next < end, next > at {
                transitions.append(Int64(next.timeIntervalSince1970.rounded(.down)))
                offsets.append(Int64(timeZone.secondsFromGMT(for: next)))
                at = next
            }
            self.transitions = transitions
            self.offsets = offsets
        }

        private final class Cache: @unchecked Sendable {
            let lock = NSLock()
            var zones: [String: Zone] = [:]
        }

        private static let cache = Cache()

        /// The zone named `identifier` (shared by every calendar of the process), or `nil` when
        /// Foundation does not know it.
        public static func named(_ identifier: String) -> Zone? {
            cache.lock.lock()
            defer { cache.lock.unlock() }
            if let zone = cache.zones[identifier] { return zone }
            guard let tz = TimeZone(identifier: identifier) else { return nil }
            let zone = Zone(tz)
            cache.zones[identifier] = zone
            return zone
        }

        /// UTC.
        public static let utc: Zone = named("UTC") ?? Zone(TimeZone(secondsFromGMT: 0) ?? .current)

        /// The offset east of UTC, in seconds, in force at the UTC second `second`.
        public func offset(atSecond second: Int64) -> Int64 {
            guard second >= lowerBound, second < upperBound else {
                return Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(second))))
            }
            var lo = 0, hi = transitions.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if transitions[mid] <= second { lo = mid + 1 } else { hi = mid }
            }
            return lo == 0 ? initialOffset : offsets[lo - 1]
        }

        /// The UTC second of the local time `local` (seconds since 1970-01-01T00:00 local): a local
        /// time that does not exist is read with the offset in force before the jump (it lands
        /// after the gap); one that occurs twice is its first occurrence.
        public func utcSecond(ofLocal local: Int64) -> Int64 {
            // |offset| < 1 day, so the true instant lies within a day of `local` either way, and the
            // offsets a day before and after are those on both sides of any transition near it.
            let before = offset(atSecond: local - 86_400)
            let after = offset(atSecond: local + 86_400)
            let early = local - max(before, after), late = local - min(before, after)
            if offset(atSecond: early) == max(before, after) { return early }  // first occurrence
            if offset(atSecond: late) == min(before, after) { return late }
            return local - before  // in the gap
        }

        /// The local day (days since 1970-01-01 in this zone) holding `instant`.
        public func localDay(of instant: Instant) -> Int {
            let (second, _) = instant.microseconds.floorDivided(by: 1_000_000)
            let (day, _) = (second + offset(atSecond: second)).floorDivided(by: 86_400)
            return Int(day)
        }

        /// The instant of local `minute` (0…1440, 1440 being the next midnight) on local day `day`.
        public func instant(localDay day: Int, minute: Int) -> Instant {
            let local = Int64(day) * 86_400 + Int64(minute) * 60
            return Instant(microseconds: utcSecond(ofLocal: local) * 1_000_000)
        }

        /// The first transition at or after the UTC second `second`; the end of the table when there
        /// is none; `second` itself when the table does not cover it (so callers assume a change).
        func nextTransition(atOrAfter second: Int64) -> Int64 {
            guard second >= lowerBound, second < upperBound else { return second }
            var lo = 0, hi = transitions.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if transitions[mid] < second { lo = mid + 1 } else { hi = mid }
            }
            return lo < transitions.count ? transitions[lo] : upperBound
        }
    }
}

extension Int64 {
    /// Division rounding towards negative infinity, with a non-negative remainder.
    @inlinable func floorDivided(by d: Int64) -> (quotient: Int64, remainder: Int64) {
        let (q, r) = quotientAndRemainder(dividingBy: d)
        return r < 0 ? (q - 1, r + d) : (q, r)
    }
}
