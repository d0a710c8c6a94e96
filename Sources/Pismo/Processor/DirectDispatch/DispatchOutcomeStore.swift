/// Where direct dispatch records its outcomes (the Events table's `dispatch` attribute in production),
/// so the stream path knows which parked events it must still deliver.
public protocol DispatchOutcomeStore: Sendable {
    /// Records each event's outcome: delivered, or left to the stream path. Returns how many could
    /// not be written (the stream path delivers those after its grace period).
    func markDispatch(_ outcomes: [(item: EventItem, delivered: Bool)]) async throws -> Int
}
