/// The routes table on DynamoDB, read by delivery. Layout: `RoutesTable`.
public struct DynamoDBRouteStore: RouteStore {
    let dynamo: DynamoDBClient
    let table: String

    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    public func route(for clientID: String) async throws -> Route? {
        guard let item = try await dynamo.getItem(table: table, key: [RoutesTable.clientID: .s(clientID)]),
              let url = item[RoutesTable.url]?.string else { return nil }
        return Route(url: url, secret: item[RoutesTable.secret]?.string)
    }
}
