/// The routes table's layout, shared by delivery's reads and `pismo routes`; part of the operator contract.
public enum RoutesTable {
    public static let clientID = "client_id", url = "url", secret = "secret"
    public static let keySchema: [DynamoDBKeyElement] = [.init(clientID, .hash, .s)]
}
