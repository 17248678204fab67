public import ParleyModel

extension BusinessCalendar {
    /// The earliest instant `d` with `businessSeconds(from: a, to: d)` equal to `seconds`: when an
    /// SLA of `seconds` of business time started at `a` falls due.
    ///
    /// `seconds` is rounded up to the microsecond; 0 or less gives `a`. Returns `nil` when the
    /// calendar never opens (no slot on any weekday; with finitely many holidays a calendar with
    /// some slot always opens again), or when the instant would lie after 9999-12-31 (local),
    /// which no instant of the log can express.
    ///
    /// Complexity: like ``businessSeconds(from:to:)``, proportional to the local dates walked
    /// outside runs of regular weeks, which are skipped in O(log n).
    public func instant(after a: Instant, businessSeconds seconds: Double) -> Instant? {
        guard seconds.isFinite else { return nil }
        guard seconds > 0 else { return a }
        guard seconds < 1e14 else { return nil }  // over three million years
        let needed = Int64((seconds * 1_000_000).rounded(.up))
        return instant(after: a, businessMicroseconds: needed)
    }

    /// ``instant(after:businessSeconds:)`` with the business time in microseconds.
    public func instant(after a: Instant, businessMicroseconds needed: Int64) -> Instant? {
        guard needed > 0 else { return a }
        if always {
            let (sum, overflow) = a.microseconds.addingReportingOverflow(needed)
            return overflow ? nil : Instant(microseconds: sum)
        }
        guard weekMicroseconds > 0 else { return nil }
        let startDay = zone.localDay(of: a)
        var remaining = needed
        // The end of the open time used so far: overlapping slots count their common time once.
        var used = a
        var day = startDay - 1
        while day < Self.lastSearchedDay {
            // Whole regular weeks after a's date that do not use up what remains count in one step.
            if day > startDay {
                let weeks = regularWeeks(from: day, limit: (remaining - 1) / weekMicroseconds)
                if weeks > 0 {
                    remaining -= weeks * weekMicroseconds
                    day += Int(weeks) * 7
                    used = max(used, zone.instant(localDay: day, minute: 0))
                    continue
                }
            }
            var due: Instant?
            forEachSlot(onDay: day) { start, end in
                guard due == nil else { return }
                let lo = max(start, used)
                guard end > lo else { return }
                let available = end.microseconds - lo.microseconds
                if remaining <= available {
                    due = Instant(microseconds: lo.microseconds + remaining)
                } else {
                    remaining -= available
                    used = end
                }
            }
            if let due { return due }
            day += 1
        }
        return nil
    }

    /// Whether `instant` lies inside an open slot of a non-holiday local date.
    public func isOpen(at instant: Instant) -> Bool {
        if always { return true }
        let day = zone.localDay(of: instant)
        var open = false
        for d in (day - 1)...(day + 1) {
            forEachSlot(onDay: d) { start, end in
                if start <= instant && instant < end { open = true }
            }
        }
        return open
    }
}
