/// The policies in force over time: built from `policy.set` events taken in (time, position)
/// order, with optional what-if overrides (`--policy FILE`) that replace a policy at every instant.
public struct PolicyTimeline: Sendable {
    private var sla: [(Instant, SLAPolicy)] = []
    private var community: [(Instant, CommunityPolicy)] = []
    private var content: [(Instant, ContentPolicy)] = []
    private var product: [(Instant, ProductPolicy)] = []
    private var overrides = PolicySet()
    private var overridden: Set<String> = []

    public init() {}

    /// A timeline whose policies named in `overrides` (a JSON object `{name: value}`) hold at
    /// every instant, whatever the log says.
    ///
    /// - Throws: ``EventValidationError`` naming the override field at fault (`sla.hours.mon[0]`).
    public init(overrides: JSONObject) throws(EventValidationError) {
        for name in overrides.keys.sorted() {
            guard PolicySet.names.contains(name) else {
                throw EventValidationError(field: name, "is not a policy name (known: sla, community, content, product)")
            }
            guard let value = overrides[name]?.objectValue else {
                throw EventValidationError(field: name, "must be a JSON object")
            }
            try self.overrides.set(name: name, value: value, fieldPrefix: name + ".")
            overridden.insert(name)
        }
    }

    /// Takes in a `policy.set` event; events must come in (time, position) order. Other types,
    /// and values that do not parse (the log refuses those at append), are ignored.
    public mutating func record(_ event: Event) {
        guard event.type == "policy.set", let name = event.data["name"]?.stringValue,
            let value = event.data["value"]?.objectValue
        else { return }
        var set = PolicySet()
        guard (try? set.set(name: name, value: value)) != nil else { return }
        switch name {
        case "sla": sla.append((event.time, set.sla))
        case "community": community.append((event.time, set.community))
        case "content": content.append((event.time, set.content))
        case "product": product.append((event.time, set.product))
        default: break
        }
    }

    private static func inForce<P>(_ changes: [(Instant, P)], at t: Instant, default d: P) -> P {
        // Latest change with time ≤ t; ties resolved by position because changes come in order.
        var lo = 0, hi = changes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if changes[mid].0 <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? d : changes[lo - 1].1
    }

    /// The `sla` policy in force at `t`.
    public func sla(at t: Instant) -> SLAPolicy {
        overridden.contains("sla") ? overrides.sla : Self.inForce(sla, at: t, default: SLAPolicy())
    }

    /// The `sla` policies of the `policy.set` events recorded, with their times, in the order
    /// recorded; `nil` when an override replaces the log's `sla` policy at every instant.
    public var slaChanges: [(time: Instant, policy: SLAPolicy)]? {
        overridden.contains("sla") ? nil : sla.map { (time: $0.0, policy: $0.1) }
    }

    /// The `community` policy in force at `t`.
    public func community(at t: Instant) -> CommunityPolicy {
        overridden.contains("community") ? overrides.community : Self.inForce(community, at: t, default: CommunityPolicy())
    }

    /// The `content` policy in force at `t`.
    public func content(at t: Instant) -> ContentPolicy {
        overridden.contains("content") ? overrides.content : Self.inForce(content, at: t, default: ContentPolicy())
    }

    /// The `product` policy in force at `t`.
    public func product(at t: Instant) -> ProductPolicy {
        overridden.contains("product") ? overrides.product : Self.inForce(product, at: t, default: ProductPolicy())
    }
}
