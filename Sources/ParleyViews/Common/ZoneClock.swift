import Foundation
import ParleyModel

/// Local wall-clock readings of instants in one IANA time zone, with the zone's offsets cached.
///
/// Built once per query for the span of instants it will read: the zone's transitions inside the
/// span are listed up front (a handful of Foundation calls per year), so that each reading is a
/// binary search. Instants outside the span fall back to Foundation.
///
/// Complexity: O(log k) per reading, k the number of transitions in the span.
struct ZoneClock: Sendable {
    /// The zone; `nil` for UTC, whose offset is always 0.
    private let zone: TimeZone?
    /// Starts (seconds since the epoch) of the spans of constant offset, ascending.
    private var starts: [Int64] = []
    /// The offset (seconds east of UTC) from each start on.
    private var offsets: [Int64] = []
    /// The span the table covers: [spanStart, spanEnd].
    private var spanStart: Int64 = 0
    private var spanEnd: Int64 = -1

    /// A clock for the IANA zone `identifier` (UTC when unknown, which validated policies exclude),
    /// with offsets cached for instants from `from` to `to`.
    init(identifier: String, from: Instant, to: Instant) {
        if identifier == "UTC" || identifier == "Etc/UTC" {
            zone = nil
            return
        }
        guard let zone = TimeZone(identifier: identifier) else {
            self.zone = nil
            return
        }
        self.zone = zone
        // Pad by two days so local midnights near the ends also read from the table.
        let lo = Self.floorSeconds(from) - 2 * 86_400
        let hi = Self.floorSeconds(to) + 2 * 86_400
        guard lo <= hi else { return }
        spanStart = lo
        spanEnd = hi
        var date = Date(timeIntervalSince1970: TimeInterval(lo))
        starts.append(lo)
        offsets.append(Int64(zone.secondsFromGMT(for: date)))
        while let next = zone.nextDaylightSavingTimeTransition(after: date) {
            let s = Int64(next.timeIntervalSince1970.rounded(.down))
            guard s <= hi, s > starts[starts.count - 1] else { break }
            starts.append(s)
            offsets.append(Int64(zone.secondsFromGMT(for: next)))
            date = next
        }
    }

    /// Whole seconds since the epoch, rounded down.
    static func floorSeconds(_ t: Instant) -> Int64 {
        let (q, r) = t.microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        return r < 0 ? q - 1 : q
    }

    /// The zone's offset from UTC, in seconds, at the instant `seconds` after the epoch.
    func offset(atSeconds seconds: Int64) -> Int64 {
        guard let zone else { return 0 }
        if seconds >= spanStart, seconds <= spanEnd {
            var lo = 0, hi = starts.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if starts[mid] <= seconds { lo = mid + 1 } else { hi = mid }
            }
            return offsets[max(lo - 1, 0)]
        }
        return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
    }

    /// Local seconds since 1970-01-01T00:00 local time at `t`.
    func localSeconds(_ t: Instant) -> Int64 {
        let s = Self.floorSeconds(t)
        return s + offset(atSeconds: s)
    }

    /// The local date of `t`, as days since 1970-01-01.
    func localDay(_ t: Instant) -> Int {
        let s = localSeconds(t)
        return Int(s >= 0 ? s / 86_400 : (s - 86_399) / 86_400)
    }

    /// The local hour 0–23 of `t`.
    func localHour(_ t: Instant) -> Int {
        let s = localSeconds(t)
        let r = s % 86_400
        return Int((r < 0 ? r + 86_400 : r) / 3600)
    }

    /// The instant of local midnight starting the local date `day` (days since 1970-01-01).
    ///
    /// A midnight that does not exist (clocks jump forward) reads with the offset in force before
    /// the jump, so it lands after the gap; one that occurs twice is its first occurrence — the
    /// rule `views.md` gives for business hours.
    func startOfDay(_ day: Int) -> Instant {
        let local = Int64(day) * 86_400
        let before = offset(atSeconds: local - 86_400 - 14 * 3600)
        let after = offset(atSeconds: local + 86_400 + 14 * 3600)
        let candidates = [local - before, local - after].filter { $0 + offset(atSeconds: $0) == local }
        let seconds = candidates.min() ?? (local - before)
        return Instant(microseconds: seconds * 1_000_000)
    }

    /// `YYYY-MM-DD` of a local date given as days since 1970-01-01.
    static func dateText(_ day: Int) -> String {
        let (y, m, d) = Instant.civilFromDays(day)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// `YYYY-MM` of the month holding a local date given as days since 1970-01-01.
    static func monthText(_ day: Int) -> String {
        let (y, m, _) = Instant.civilFromDays(day)
        return pad(y, 4) + "-" + pad(m, 2)
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let t = String(v)
        return t.count >= width ? t : String(repeating: "0", count: width - t.count) + t
    }
}
