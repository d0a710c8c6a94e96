/// Direct dispatch onto the delivery engine and the Events table: one attempt per event, then the
/// outcomes written back in one batch so the stream path knows which events it must still deliver.
public struct StoreMarkingDispatcher: DirectDispatcher {
    let engine: DeliveryEngine
    let store: DynamoDBEventStore

    public init(engine: DeliveryEngine, store: DynamoDBEventStore) {
        self.engine = engine
        self.store = store
    }

    public func dispatch(_ items: [EventItem]) async {
        let outcomes = await withTaskGroup(of: (item: EventItem, delivered: Bool).self) { group in
            for item in items {
                group.addTask {
                    let job = DeliveryJob(clientID: item.clientID, eventID: item.eventID, eventType: item.eventType,
                                          payload: item.payload)
                    return (item, await engine.attemptOnce(job))
                }
            }
            var outcomes: [(item: EventItem, delivered: Bool)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        await record(outcomes)
    }

    public func handOver(_ items: [EventItem]) async {
        await record(items.map { ($0, false) })
    }

    /// One retry on failure; if the write still fails, the stream path delivers after its grace
    /// period (and a delivered event may then arrive twice): at least once, never lost.
    private func record(_ outcomes: [(item: EventItem, delivered: Bool)]) async {
        for attempt in 0..<2 {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(200)) }
            if (try? await store.markDispatch(outcomes)) == 0 { return }
        }
    }
}
