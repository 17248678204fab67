import Testing
import ParleyModel
@testable import ParleyViews

/// The support view's memo of business times and its figures kept per state give exactly what
/// judging every ticket from the calendar at T gives: at random instants, at the instants where
/// a ticket falls due or breaches (and a microsecond either side), after T when the calendar is
/// closed, under DST zones, holidays, odd targets, `24x7` and calendars that never open, with
/// events fed in time order or as they were appended.
@Suite struct SupportMemoTests {
    /// A SplitMix64 generator, so that a seed gives the same log.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let base = Instant(microseconds: 1_772_323_200_000_000)  // 2026-03-01T00:00:00Z

    /// A random `sla` policy value.
    static func randomPolicy(_ g: inout Generator) -> JSONObject {
        let zones = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata"]
        let targets: [Double] = [1, 60, 600, 3600, 7200, 28_800, 86_400, 0.5, 1e-7, 3600.0000015, 5400.25]
        var value: JSONObject = [
            "first_response_s": .double(targets.randomElement(using: &g)!),
            "timezone": .string(zones.randomElement(using: &g)!),
        ]
        switch Int.random(in: 0..<6, using: &g) {
        case 0: value["hours"] = "24x7"
        case 1: value["hours"] = [:]  // never open
        default:
            var hours: JSONObject = [:]
            for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] where Int.random(in: 0..<4, using: &g) > 0 {
                // Slots around the spring-forward hours and up to midnight.
                let choices: [[JSONValue]] = [
                    [["09:00", "18:00"]], [["01:00", "02:30"], ["03:00", "04:00"]], [["00:00", "24:00"]],
                    [["08:00", "12:00"], ["13:00", "17:30"]], [["22:00", "24:00"]], [["02:15", "02:45"]],
                ]
                hours[day] = .array(choices.randomElement(using: &g)!)
            }
            value["hours"] = .object(hours)
        }
        if Bool.random(using: &g) {
            value["holidays"] = .array((0..<3).map { _ in .string(ZoneClock.dateText(20_513 + Int.random(in: 0..<40, using: &g))) })
        }
        return value
    }

    /// A random support log of `tickets` tickets over six weeks from 2026-03-01, with `sla`
    /// policy changes, as appended (positions in order, times not).
    static func randomLog(seed: UInt64, tickets: Int) -> [Event] {
        var g = Generator(state: seed)
        var events: [Event] = []
        func add(_ type: String, _ micros: Int64, _ data: JSONObject) {
            let position = UInt64(events.count + 1)
            events.append(Event(
                position: position, version: 1, recorded: Instant(microseconds: 0), id: "e\(position)", stream: "s",
                type: type, time: Instant(microseconds: base.microseconds + micros), source: "test", data: data, meta: [:]))
        }
        func someTime() -> Int64 {
            let minutes = Int64.random(in: 0..<(42 * 1440), using: &g)
            return minutes * 60_000_000 + (Bool.random(using: &g) ? Int64.random(in: 0..<60_000_000, using: &g) : 0)
        }
        for _ in 0..<Int.random(in: 0...3, using: &g) { add("policy.set", someTime(), ["name": "sla", "value": .object(randomPolicy(&g))]) }
        for n in 0..<tickets {
            let id = JSONValue.string("t\(n)")
            let opened = someTime()
            add("ticket.opened", opened, ["ticket": id, "member": .string("m\(n % 7)")])
            if Int.random(in: 0..<8, using: &g) == 0 { add("ticket.opened", someTime(), ["ticket": id, "member": "late"]) }
            for _ in 0..<Int.random(in: 0...2, using: &g) {
                let at = Bool.random(using: &g) ? opened + Int64.random(in: -3_600_000_000...(3 * 86_400_000_000), using: &g) : someTime()
                add("ticket.replied", at, ["ticket": id, "staff": .bool(Int.random(in: 0..<4, using: &g) > 0)])
            }
            for _ in 0..<Int.random(in: 0...3, using: &g) {
                let at = opened + Int64.random(in: -86_400_000_000...(10 * 86_400_000_000), using: &g)
                add(Int.random(in: 0..<3, using: &g) > 0 ? "ticket.resolved" : "ticket.reopened", at, ["ticket": id])
            }
            if Int.random(in: 0..<4, using: &g) == 0 {
                add("ticket.escalated", opened + Int64.random(in: 0...86_400_000_000, using: &g), ["ticket": id, "team": .string("tier\(Int.random(in: 1...3, using: &g))")])
            }
        }
        if Int.random(in: 0..<3, using: &g) == 0 { add("policy.set", someTime(), ["name": "sla", "value": .object(randomPolicy(&g))]) }
        return events
    }

    static func sorted(_ events: [Event]) -> [Event] {
        events.sorted { ($0.time, $0.position) < ($1.time, $1.position) }
    }

    /// The query as of `asOf` under the log's policies (all of them: later ones never apply).
    static func query(_ events: [Event], asOf: Instant, from: Instant? = nil, to: Instant? = nil) -> ViewQuery {
        var policies = PolicyTimeline()
        for e in sorted(events) { policies.record(e) }
        return ViewQuery(asOf: asOf, from: from, to: to, policies: policies)
    }

    /// The `sla` answer judged from the calendar, ticket by ticket.
    static func exactSLA(_ view: SupportView, _ q: ViewQuery) -> JSONValue {
        var tally = SLATally()
        view.forEachVerdict(q, withDue: false, memo: false) { _, _, verdict in tally.add(verdict) }
        return tally.figures().json(SupportView.Window(q), asOf: q.asOf)
    }

    /// Instants worth probing: random ones, and around each ticket's opening, due and breach.
    static func probes(_ view: SupportView, seed: UInt64) -> [Instant] {
        var g = Generator(state: seed ^ 0xABCD)
        var probes = (0..<12).map { _ in Instant(microseconds: base.microseconds + Int64.random(in: 0..<(50 * 86_400_000_000), using: &g)) }
        for ticket in view.records.values.shuffled(using: &g).prefix(12) {
            guard let times = ticket.times, let opened = ticket.opening?.time else { continue }
            var marks = [opened]
            if let due = times.due { marks.append(due) }
            if case .at(let breach) = times.breach { marks.append(breach) }
            for m in marks { probes += [-1, 0, 1].map { Instant(microseconds: m.microseconds + $0) } }
        }
        return probes
    }

    @Test(arguments: 1...12)
    func memoJudgesAsTheCalendar(seed: UInt64) throws {
        let events = Self.randomLog(seed: seed, tickets: 60)
        for feed in [Self.sorted(events), events] {
            var view = SupportView()
            for e in feed { view.apply(e) }
            for asOf in Self.probes(view, seed: seed) {
                let q = Self.query(events, asOf: asOf)
                let memo = view.standings(q, withTeams: true)
                let exact = view.standings(q, withTeams: true, memo: false)
                #expect(memo.map(\.verdict) == exact.map(\.verdict), "seed \(seed) as of \(asOf.rfc3339)")
                #expect(try view.sla(q) == Self.exactSLA(view, q), "seed \(seed) as of \(asOf.rfc3339)")
                let window = Self.query(events, asOf: asOf, from: Instant(microseconds: asOf.microseconds - 9 * 86_400_000_000))
                #expect(try view.sla(window) == Self.exactSLA(view, window))
            }
        }
    }

    /// Past the latest ticket event, the figures kept for the state answer every T, the split
    /// of pending and breached included, and copies of the state share them until one changes.
    @Test(arguments: 1...8)
    func currentFiguresHoldForEveryLaterInstant(seed: UInt64) throws {
        let events = Self.sorted(Self.randomLog(seed: seed, tickets: 80))
        var view = SupportView()
        for e in events { view.apply(e) }
        let latest = try #require(view.latestTicketTime)
        var instants = [latest] + (1...20).map { Instant(microseconds: latest.microseconds + Int64($0) * 3_600_000_000 * 7) }
        for ticket in view.records.values {
            if case .at(let breach)? = ticket.times?.breach, breach > latest {
                instants += [-1, 0, 1].map { Instant(microseconds: breach.microseconds + $0) }
            }
        }
        let copy = view
        for asOf in instants {
            let q = Self.query(events, asOf: asOf)
            #expect(view.isCurrent(q))
            #expect(try copy.sla(q) == Self.exactSLA(view, q), "seed \(seed) as of \(asOf.rfc3339)")
            let capped = Self.query(events, asOf: asOf, to: latest)
            #expect(try view.sla(capped) == Self.exactSLA(view, capped))
        }
        // A change drops what the changed copy kept, not what the other copy keeps.
        var changed = copy
        changed.apply(Event(
            position: 1_000_000, version: 1, recorded: Instant(microseconds: 0), id: "x", stream: "s", type: "ticket.opened",
            time: latest, source: "test", data: ["ticket": "new", "member": "m"], meta: [:]))
        let q = Self.query(events, asOf: Instant(microseconds: latest.microseconds + 1))
        #expect(try changed.sla(q)["tickets"] == .int(try #require(view.sla(q)["tickets"]?.intValue) + 1))
        #expect(try copy.sla(q) == Self.exactSLA(copy, q))
    }

    /// The memo built event by event, in any order, is the one computed at once from the
    /// ticket's final events under the policy of its opening.
    @Test(arguments: 1...6)
    func incrementalMemoEqualsReplay(seed: UInt64) {
        let events = Self.randomLog(seed: seed, tickets: 50)
        var g = Generator(state: seed)
        for feed in [events, Self.sorted(events), events.shuffled(using: &g)] {
            var view = SupportView()
            for e in feed { view.apply(e) }
            for ticket in view.records.values {
                var replayed = ticket
                replayed.computeTimes(under: view.slaPolicies.inForce(at: ticket.opening?.time ?? Instant(microseconds: 0)))
                #expect(ticket.times == replayed.times, "\(ticket.id)")
                #expect(ticket.statusChanges.map(\.business) == replayed.statusChanges.map(\.business), "\(ticket.id)")
            }
        }
    }

    /// A `--policy` what-if over `sla` is judged from the calendar, not from the memo.
    @Test func whatIfPoliciesBypassTheMemo() throws {
        let events = Self.randomLog(seed: 99, tickets: 40)
        var view = SupportView()
        for e in Self.sorted(events) { view.apply(e) }
        var policies = try PolicyTimeline(overrides: ["sla": ["first_response_s": 60, "hours": "24x7"]])
        for e in Self.sorted(events) { policies.record(e) }
        let asOf = Instant(microseconds: Self.base.microseconds + 30 * 86_400_000_000)
        let q = ViewQuery(asOf: asOf, policies: policies)
        #expect(!view.slaPolicies.matches(policies))
        #expect(try view.sla(q) == Self.exactSLA(view, q))
        let fresh = ViewQuery(asOf: asOf, policies: try PolicyTimeline(overrides: ["sla": ["first_response_s": 60, "hours": "24x7"]]))
        #expect(try view.tickets(q) == view.tickets(fresh))
    }

    @Test func thresholdIsTheLeastTimeThatExceedsTheTarget() {
        for target in [7200, 0.5, 1e-7, 3600.0000015, 5400.25, 1e-300, 0, -1, 123_456.789_012_3, 9e12] {
            guard let w = SLAPolicyHistory.threshold(exceeding: target) else {
                Issue.record("no threshold for \(target)")
                continue
            }
            #expect(Double(w) / 1_000_000 > target, "\(target)")
            if w > 0 { #expect(!(Double(w - 1) / 1_000_000 > target), "\(target)") }
        }
        #expect(SLAPolicyHistory.threshold(exceeding: 7200) == 7_200_000_001)
        #expect(SLAPolicyHistory.threshold(exceeding: .nan) == nil)
        #expect(SLAPolicyHistory.threshold(exceeding: 1e300) == nil)
    }

    /// The rows written straight to bytes are the canonical JSON of the rows as values.
    @Test(arguments: 1...4)
    func encodedRowsAreTheCanonicalJSON(seed: UInt64) throws {
        var events = Self.randomLog(seed: seed, tickets: 30)
        let odd = ["quote\"d", "back\\slash", "tab\tnew\nline", "é🙂", "\u{1}"]
        for (i, id) in odd.enumerated() {
            let t = Instant(microseconds: Self.base.microseconds + Int64(i) * 3_600_000_000)
            let rows: [(String, JSONObject)] = [("ticket.opened", ["ticket": .string(id), "member": .string(id)]), ("ticket.escalated", ["ticket": .string(id), "team": .string(id)])]
            for (type, data) in rows {
                events.append(Event(
                    position: UInt64(events.count + 1), version: 1, recorded: Instant(microseconds: 0), id: "o\(i)", stream: "s", type: type,
                    time: t, source: "test", data: data, meta: [:]))
            }
        }
        var view = SupportView()
        for e in Self.sorted(events) { view.apply(e) }
        for days: Int64 in [3, 20, 60] {
            let q = Self.query(events, asOf: Instant(microseconds: Self.base.microseconds + days * 86_400_000_000))
            #expect(try view.encodedTickets(q) == JSONWriter.encode(view.tickets(q)))
            #expect(try view.encodedBacklog(q) == JSONWriter.encode(view.backlog(q)))
        }
        let empty = Self.query([], asOf: Self.base)
        #expect(try SupportView().encodedTickets(empty) == JSONWriter.encode(SupportView().tickets(empty)))
    }

    /// The stored state keeps the memo and the policies it was computed under; a state decoded
    /// for the support queries alone answers them as the whole state does.
    @Test(arguments: 1...3)
    func storedStateKeepsTheMemo(seed: UInt64) throws {
        let events = Self.sorted(Self.randomLog(seed: seed, tickets: 40))
        var views = Views()
        for e in events { views.apply(e) }
        let bytes = views.encodedState()
        let decoded = try bytes.withUnsafeBytes { try Views(encodedState: $0, policies: views.policies) }
        let supportOnly = try bytes.withUnsafeBytes { try Views(encodedState: $0, policies: views.policies, reading: .supportSLA) }
        #expect(supportOnly.community.members.isEmpty)
        #expect(decoded.support.records.count == views.support.records.count)
        for ticket in views.support.records.values {
            #expect(decoded.support.records[ticket.id]?.times == ticket.times)
        }
        for days: Int64 in [5, 25, 45, 400] {
            let q = ViewQuery(asOf: Instant(microseconds: Self.base.microseconds + days * 86_400_000_000))
            for name in [ViewQueryName.supportSLA, .supportTickets, .supportBacklog] {
                #expect(try decoded.answer(name, q) == views.answer(name, q))
                #expect(try supportOnly.answer(name, q) == views.answer(name, q))
                #expect(try supportOnly.encodedAnswer(name, q) == JSONWriter.encode(views.answer(name, q)))
            }
        }
    }
}
