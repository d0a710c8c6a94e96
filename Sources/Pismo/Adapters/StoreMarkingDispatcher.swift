/// Direct dispatch onto the delivery engine and the Events table: one attempt per event, then the
/// outcome written back (group-committed, see `DispatchOutcomeWriter`) so the stream path knows
/// which events it must still deliver.
public struct StoreMarkingDispatcher: DirectDispatcher {
    let engine: DeliveryEngine
    let outcomes: DispatchOutcomeWriter

    public init(engine: DeliveryEngine, store: DynamoDBEventStore, linger: Duration = .milliseconds(100)) {
        self.engine = engine
        self.outcomes = DispatchOutcomeWriter(store: store, linger: linger)
    }

    public func dispatch(_ items: [EventItem]) async {
        if items.count == 1 {  // the processor submits each event as soon as it is stored
            await outcomes.record([(items[0], await attempt(items[0]))])
            return
        }
        let outcomes = await withTaskGroup(of: (item: EventItem, delivered: Bool).self) { group in
            for item in items {
                group.addTask { (item, await attempt(item)) }
            }
            var outcomes: [(item: EventItem, delivered: Bool)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        await self.outcomes.record(outcomes)
    }

    private func attempt(_ item: EventItem) async -> Bool {
        await engine.attemptOnce(DeliveryJob(clientID: item.clientID, eventID: item.eventID, eventType: item.eventType,
                                             payload: item.payload))
    }

    public func handOver(_ items: [EventItem]) async {
        await outcomes.record(items.map { ($0, false) })
    }
}
