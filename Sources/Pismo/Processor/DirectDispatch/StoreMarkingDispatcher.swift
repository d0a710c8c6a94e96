/// Direct dispatch onto the delivery engine and the Events table: one attempt per event, then the
/// outcome written back (group-committed, see `DispatchOutcomeWriter`) so the stream path knows
/// which events it must still deliver.
public struct StoreMarkingDispatcher: DirectDispatcher {
    let engine: DeliveryEngine
    let outcomes: DispatchOutcomeWriter

    public init(engine: DeliveryEngine, store: any DispatchOutcomeStore, linger: Duration = .milliseconds(100)) {
        self.engine = engine
        self.outcomes = DispatchOutcomeWriter(store: store, linger: linger)
    }

    public func dispatch(_ item: EventItem) async {
        let delivered = await engine.attemptOnce(DeliveryJob(clientID: item.clientID, eventID: item.eventID,
                                                             eventType: item.eventType, payload: item.payload,
                                                             eventKey: item.eventKey), fanOut: false)
        await outcomes.record([(item, delivered)])
    }

    public func handOver(_ item: EventItem) async {
        await outcomes.record([(item, false)])
    }
}
