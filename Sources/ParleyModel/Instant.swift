internal import Foundation

/// An instant on the UTC time line, to the microsecond (the precision of the log: finer fractions
/// of a second are truncated).
public struct Instant: Sendable, Hashable, Comparable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    /// The instant `microseconds` after the Unix epoch.
    @inlinable public init(microseconds: Int64) { self.microseconds = microseconds }

    /// The instant `seconds` (fractions allowed, truncated to microseconds) after the Unix epoch.
    @inlinable public init(seconds: Double) { self.microseconds = Int64((seconds * 1_000_000).rounded(.down)) }

    /// Seconds since the Unix epoch.
    @inlinable public var seconds: Double { Double(microseconds) / 1_000_000 }

    @inlinable public static func < (a: Instant, b: Instant) -> Bool { a.microseconds < b.microseconds }

    /// `self` moved by `seconds` (fractions allowed).
    @inlinable public func adding(seconds: Double) -> Instant {
        Instant(microseconds: microseconds + Int64((seconds * 1_000_000).rounded()))
    }

    /// `self` moved by `days` × 86,400 seconds.
    @inlinable public func adding(days: Int) -> Instant {
        Instant(microseconds: microseconds + Int64(days) * 86_400_000_000)
    }

    /// Seconds from `self` to `later` (negative when `later` is earlier).
    @inlinable public func seconds(to later: Instant) -> Double {
        Double(later.microseconds - microseconds) / 1_000_000
    }

    /// The earliest representable instant.
    public static let distantPast = Instant(microseconds: Int64.min / 2)
    /// The latest representable instant.
    public static let distantFuture = Instant(microseconds: Int64.max / 2)
}

/// Why a text is not an RFC 3339 instant.
public struct InstantSyntaxError: Error, Sendable, CustomStringConvertible {
    /// The text at fault.
    public var text: String
    /// What is wrong.
    public var reason: String

    public var description: String { "\"\(text)\" is not an RFC 3339 time (\(reason))" }
}

extension Instant {
    /// Parses RFC 3339: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`, `z` and a space for `T`
    /// are accepted. Fractions beyond microseconds are truncated.
    public init(rfc3339 text: String) throws(InstantSyntaxError) {
        var text = text
        let parsed = text.withUTF8 { utf8 in Result { () throws(InstantSyntaxError) in try Instant(rfc3339: utf8) } }
        self = try parsed.get()
    }

    /// Parses the UTF-8 bytes of an RFC 3339 date-time, as ``init(rfc3339:)-(String)``.
    public init(rfc3339 b: UnsafeBufferPointer<UInt8>) throws(InstantSyntaxError) {
        func fail(_ reason: String) -> InstantSyntaxError {
            InstantSyntaxError(text: String(decoding: b, as: UTF8.self), reason: reason)
        }
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for i in at..<(at + n) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let year = digits(0, 4), b.count > 4, b[4] == UInt8(ascii: "-"),
            let month = digits(5, 2), b.count > 7, b[7] == UInt8(ascii: "-"),
            let day = digits(8, 2)
        else { throw fail("expected a date YYYY-MM-DD") }
        guard b.count > 10, [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(b[10]) else {
            throw fail("expected 'T' and a time of day after the date")
        }
        guard let hour = digits(11, 2), b.count > 13, b[13] == UInt8(ascii: ":"),
            let minute = digits(14, 2), b.count > 16, b[16] == UInt8(ascii: ":"),
            let second = digits(17, 2)
        else { throw fail("expected a time HH:MM:SS") }
        guard (1...12).contains(month), day >= 1, day <= Instant.daysIn(month: month, year: year) else {
            throw fail("no such date")
        }
        guard hour < 24, minute < 60, second < 60 else { throw fail("no such time of day") }
        var i = 19
        var micros = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if n < 6 { micros = micros * 10 + Int(b[i] - 0x30) }
                n += 1
                i += 1
            }
            guard n > 0 else { throw fail("expected digits after '.'") }
            for _ in min(n, 6)..<6 { micros *= 10 }
        }
        guard i < b.count else { throw fail("missing zone offset: end with 'Z' or ±HH:MM") }
        var offset = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"),
                let om = digits(i + 4, 2), oh < 24, om < 60
            else { throw fail("bad zone offset: expected ±HH:MM") }
            offset = (oh * 60 + om) * 60 * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            throw fail("missing zone offset: end with 'Z' or ±HH:MM")
        }
        guard i == b.count else { throw fail("unexpected text after the zone offset") }
        let days = Instant.daysFromCivil(year: year, month: month, day: day)
        let secs = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        self.init(microseconds: secs * 1_000_000 + Int64(micros))
        // Stored and printed in UTC with a four-digit year: the offset must not carry it out.
        guard Instant.earliest <= self, self <= Instant.latest else {
            throw fail("in UTC it falls outside the years 0000 to 9999")
        }
    }

    /// The earliest instant of RFC 3339 in UTC, 0000-01-01T00:00:00Z.
    public static let earliest = Instant(microseconds: Int64(daysFromCivil(year: 0, month: 1, day: 1)) * 86_400_000_000)
    /// The latest instant of RFC 3339 in UTC, 9999-12-31T23:59:59.999999Z.
    public static let latest = Instant(microseconds: Int64(daysFromCivil(year: 10_000, month: 1, day: 1)) * 86_400_000_000 - 1)

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` in UTC, with a fraction only when it is not zero and
    /// without trailing zeros, as `views.md` prints instants.
    public var rfc3339: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        write(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``rfc3339`` as UTF-8 bytes, without building a string.
    public func write(into out: inout [UInt8]) {
        let (secs, micros) = microseconds.quotientAndRemainderFloored(dividingBy: 1_000_000)
        let (days, secOfDay) = secs.quotientAndRemainderFloored(dividingBy: 86_400)
        let (y, m, d) = Instant.civilFromDays(Int(days))
        @inline(__always) func digits(_ v: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = v
            if v < 0 { out.append(UInt8(ascii: "-")); v = -v }
            while divisor > 0 {
                out.append(UInt8(truncatingIfNeeded: 0x30 + (v / divisor) % 10))
                divisor /= 10
            }
        }
        if y > 9999 { out.append(contentsOf: String(y).utf8) } else { digits(y, 4) }
        out.append(UInt8(ascii: "-")); digits(m, 2)
        out.append(UInt8(ascii: "-")); digits(d, 2)
        out.append(UInt8(ascii: "T")); digits(Int(secOfDay / 3600), 2)
        out.append(UInt8(ascii: ":")); digits(Int(secOfDay / 60 % 60), 2)
        out.append(UInt8(ascii: ":")); digits(Int(secOfDay % 60), 2)
        if micros != 0 {
            out.append(UInt8(ascii: "."))
            var frac = Int(micros), width = 6
            while frac % 10 == 0 { frac /= 10; width -= 1 }
            digits(frac, width)
        }
        out.append(UInt8(ascii: "Z"))
    }


    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The number of days in `month` of `year`.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension Instant: CustomStringConvertible {
    public var description: String { rfc3339 }
}

extension Int64 {
    /// Division rounding towards negative infinity, with a non-negative remainder.
    @inlinable func quotientAndRemainderFloored(dividingBy d: Int64) -> (Int64, Int64) {
        let (q, r) = quotientAndRemainder(dividingBy: d)
        return r < 0 ? (q - 1, r + d) : (q, r)
    }
}

extension Instant {
    /// The current instant, from the system clock.
    public static var now: Instant { Instant(seconds: Date().timeIntervalSince1970) }
}
