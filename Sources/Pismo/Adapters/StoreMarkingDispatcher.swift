/// Direct dispatch: one attempt, then the outcome is written to the item so the stream path knows.
public struct StoreMarkingDispatcher: DirectDispatcher {
    let engine: DeliveryEngine
    let store: DynamoDBEventStore

    public init(engine: DeliveryEngine, store: DynamoDBEventStore) {
        self.engine = engine
        self.store = store
    }

    public func dispatch(_ item: EventItem) async {
        let delivered = await engine.attemptOnce(DeliveryJob(clientID: item.clientID, eventID: item.eventID,
                                                             eventType: item.eventType, payload: item.payload))
        // If this write fails the stream path still delivers after its grace period: at least once.
        try? await store.markDispatch(item, delivered: delivered)
    }
}
