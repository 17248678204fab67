public import ParleyModel

/// The business calendar of an `sla` policy: which instants are open, and how much open time lies
/// between two instants (`views.md`, "Business time").
///
/// A slot is the real interval from its local start to its local end on its local date, read in
/// the policy's zone (see ``Zone/utcSecond(ofLocal:)`` for gaps and repeated hours); `"24:00"` is
/// the next local midnight. Holidays close every slot of their local date; `"24x7"` opens every
/// instant, holidays included. A slot whose end falls before its start (both inside a
/// spring-forward gap) is empty.
///
/// Complexity: a query walks the local dates it spans, but jumps over runs of whole weeks without
/// a holiday or a zone transition in O(log n), so a span of a year costs a few dozen steps.
public struct BusinessCalendar: Sendable {
    /// Whether every instant is open (`"24x7"`).
    let always: Bool
    /// Slots in minutes of local time, index 0 = Monday … 6 = Sunday.
    let slots: [[Range<Int>]]
    /// Open microseconds of a week without holidays or transitions.
    let weekMicroseconds: Int64
    /// Holidays as local day numbers, ascending.
    let holidays: [Int]
    let holidaySet: Set<Int>
    /// The zone the slots and holidays are read in.
    public let zone: Zone

    /// Whether no instant is ever open: no `"24x7"` and no slot on any weekday.
    var neverOpens: Bool { !always && weekMicroseconds == 0 }

    /// The first local day after 9999-12-31: dues later than this are not looked for.
    static let lastSearchedDay = Instant.daysFromCivil(year: 10_000, month: 1, day: 1)

    /// The calendar of `policy`; an unknown time zone (the log refuses those) reads as UTC.
    public init(_ policy: SLAPolicy) {
        zone = Zone.named(policy.timezone) ?? Zone.utc
        switch policy.hours {
        case .always:
            always = true
            slots = Array(repeating: [], count: 7)
        case .weekly(let days):
            always = false
            slots = (1...7).map { days[$0] ?? [] }
        }
        weekMicroseconds = slots.joined().reduce(0) { $0 + Int64($1.count) * 60_000_000 }
        holidays = policy.holidays.compactMap(Self.dayNumber).sorted()
        holidaySet = Set(holidays)
    }

    /// The local day number of a date `"YYYY-MM-DD"`.
    static func dayNumber(_ date: String) -> Int? {
        let parts = date.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        return Instant.daysFromCivil(year: y, month: m, day: d)
    }

    /// The weekday index (0 = Monday … 6 = Sunday) of a local day number (day 0 was a Thursday).
    static func weekdayIndex(_ day: Int) -> Int {
        ((day + 3) % 7 + 7) % 7
    }

    /// Calls `body` with the real interval `[start, end)` of each slot of local day `day`, by real
    /// start; nothing on a holiday. Empty intervals are passed too (callers clamp). Near a
    /// spring-forward gap the real starts need not follow the local order (local 02:30 is read
    /// after the gap, later than local 03:00), and intervals may overlap.
    @inline(__always)
    func forEachSlot(onDay day: Int, _ body: (Instant, Instant) -> Void) {
        guard !holidaySet.contains(day) else { return }
        let daySlots = slots[Self.weekdayIndex(day)]
        // On the stack: an array here was a heap allocation for every day a due date is
        // searched through, a tenth of the support view's time under ingest of new tickets.
        withUnsafeTemporaryAllocation(of: (start: Instant, end: Instant).self, capacity: daySlots.count) { intervals in
            var count = 0
            var ordered = true
            for slot in daySlots {
                let start = zone.instant(localDay: day, minute: slot.lowerBound)
                if count > 0, start < intervals[count - 1].start { ordered = false }
                intervals.initializeElement(at: count, to: (start, zone.instant(localDay: day, minute: slot.upperBound)))
                count += 1
            }
            var filled = UnsafeMutableBufferPointer(rebasing: intervals[..<count])
            if !ordered { filled.sort { $0.start < $1.start } }
            for interval in filled { body(interval.start, interval.end) }
            _ = filled.deinitialize()
        }
    }

    /// How many whole weeks, at most `limit`, starting at local day `day` hold neither a holiday
    /// nor (within two days of their edges) a zone transition: weeks of exactly
    /// `weekMicroseconds` open time whose slots sit at a fixed offset.
    func regularWeeks(from day: Int, limit: Int64) -> Int64 {
        guard limit > 0 else { return 0 }
        var weeks = limit
        // Holidays: the first one on or after `day`.
        var lo = 0, hi = holidays.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if holidays[mid] < day { lo = mid + 1 } else { hi = mid }
        }
        if lo < holidays.count { weeks = min(weeks, Int64((holidays[lo] - day) / 7)) }
        // Transitions: none in [day − 2 days, day + 7·weeks + 2 days) in UTC seconds.
        let margin: Int64 = 2 * 86_400
        let start = Int64(day) * 86_400
        let next = zone.nextTransition(atOrAfter: start - margin)
        weeks = min(weeks, max(0, (next - margin - start) / (7 * 86_400)))
        return weeks
    }

    /// Business time in seconds between `a` and `b`: the part of `[a, b)` inside open slots of
    /// non-holiday local dates; 0 when `b` ≤ `a`.
    public func businessSeconds(from a: Instant, to b: Instant) -> Double {
        Double(businessMicroseconds(from: a, to: b)) / 1_000_000
    }

    /// ``businessSeconds(from:to:)`` in microseconds, exactly.
    public func businessMicroseconds(from a: Instant, to b: Instant) -> Int64 {
        guard b > a else { return 0 }
        if always { return b.microseconds - a.microseconds }
        guard weekMicroseconds > 0 else { return 0 }
        // Slots of a date end by its next local midnight, so one date of margin each side is enough.
        let firstDay = zone.localDay(of: a) - 1
        let lastDay = zone.localDay(of: b) + 1
        var total: Int64 = 0
        // The end of the open time counted so far: slots of one date can overlap in real time
        // (e.g. [01:00, 02:30) and [03:00, 04:00) on a spring-forward date, 02:30 being read after
        // the gap), and a second inside two slots is still one second of business time.
        var counted = a
        var day = firstDay
        while day <= lastDay {
            // Whole weeks strictly inside (a, b), a day clear of both ends, count in one step.
            if day >= firstDay + 2 {
                let weeks = regularWeeks(from: day, limit: Int64(lastDay - 2 - day) / 7)
                if weeks > 0 {
                    total += weeks * weekMicroseconds
                    day += Int(weeks) * 7
                    counted = max(counted, zone.instant(localDay: day, minute: 0))
                    continue
                }
            }
            forEachSlot(onDay: day) { start, end in
                let lo = max(start, counted), hi = min(end, b)
                if hi > lo {
                    total += hi.microseconds - lo.microseconds
                    counted = hi
                }
            }
            day += 1
        }
        return total
    }
}
