import ParleyModel
import ParleyPluginProtocol

/// The loop plugin: when an idea's status changes to `shipped`, emits `announcement.drafted` on
/// `idea:<idea>` with `{idea, title, owed}` — every member owed word of it (see
/// ``IdeaLedger/owed(_:)``) — for a person to edit and publish. Once per shipping: the id is
/// `loop:<idea>:<position of the status change>`; nothing when nobody is owed.
///
/// Owed lists need an idea's whole history, so the plugin keeps its checkpoint below the first
/// event it ever used and rebuilds everything on a restart. Drafts found during the replay are
/// held until `caught_up` and emitted then, less those the replay shows already drafted.
struct LoopHandler: PluginHandler {
    private var ledger = IdeaLedger()
    private var source = "loop"
    private var caughtUp = false
    /// Drafts found during the replay, by id, not yet seen in the log.
    private var held: [String: NewEvent] = [:]
    private var heldOrder: [String] = []
    /// Ids of drafts seen in the log.
    private var drafted: Set<String> = []
    private var firstUsed: UInt64?

    init() {}

    mutating func start(_ hello: DaemonHello, context: PluginContext) throws -> PluginHello {
        try PluginConfig(hello.config).requireKnownKeys([])
        source = context.source(or: "loop")
        return PluginHello(subscribe: ["idea.*", "announcement.published", "announcement.drafted"])
    }

    mutating func onEvent(_ event: Event, context: PluginContext) throws -> [NewEvent] {
        if event.type == "announcement.drafted" {
            drafted.insert(event.id)
            held[event.id] = nil
            return []
        }
        firstUsed = firstUsed ?? event.position
        let idea = event.data["idea"]?.stringValue ?? ""
        let wasShipped = ledger.status[idea] == "shipped"
        ledger.apply(event)
        guard event.type == "idea.status_changed", event.data["status"]?.stringValue == "shipped", !wasShipped,
            let proposal = ledger.proposals[idea], !ledger.isMerged(idea)
        else { return [] }
        let owed = ledger.owed(idea)
        let id = "loop:\(idea):\(event.position)"
        guard !owed.isEmpty, !drafted.contains(id) else { return [] }
        let draft = NewEvent(
            id: id, stream: "idea:\(idea)", type: "announcement.drafted", time: event.time, source: source,
            data: ["idea": .string(idea), "title": .string(proposal.title), "owed": .array(owed.map { .string($0) })],
            meta: event.id.isEmpty ? [:] : ["causation": .string(event.id)])
        guard caughtUp else {
            if held[id] == nil { heldOrder.append(id) }
            held[id] = draft
            return []
        }
        return [draft]
    }

    mutating func onCaughtUp(position: UInt64, context: PluginContext) -> [NewEvent] {
        caughtUp = true
        let drafts = heldOrder.compactMap { held[$0] }
        held = [:]
        heldOrder = []
        if !drafts.isEmpty { context.log(.info, "\(drafts.count) announcement drafts found in the replay") }
        return drafts
    }

    /// The first idea or announcement event ever used: a restart must see them all again.
    var retainedFrom: UInt64? { firstUsed }
}
