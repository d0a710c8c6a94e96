/// The routes table on DynamoDB, read by delivery. Layout: `RoutesTable`.
public struct DynamoDBRouteStore: RouteStore, RouteHealth {
    let dynamo: DynamoDBClient
    let table: String

    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    public func route(for clientID: String) async throws -> Route? {
        guard let item = try await dynamo.getItem(table: table, key: [RoutesTable.clientID: .s(clientID)]),
              let url = item[RoutesTable.url]?.string else { return nil }
        return Route(url: url, secret: item[RoutesTable.secret]?.string, disabledAt: item[RoutesTable.disabledAt]?.string,
                     disabledReason: item[RoutesTable.disabledReason]?.string, failingSinceMillis: item[RoutesTable.failingSince]?.int64)
    }

    // Every write is conditional on the route still existing: a route deleted meanwhile stays deleted.

    public func disable(clientID: String, reason: String, at: String) async throws {
        try await update(clientID, "SET #d = :at, #r = :reason", [":at": .s(at), ":reason": .s(reason)],
                         names: ["#d": RoutesTable.disabledAt, "#r": RoutesTable.disabledReason])
    }

    public func markFailing(clientID: String, sinceMillis: Int64) async throws {
        try await update(clientID, "SET #f = if_not_exists(#f, :since)", [":since": .number(sinceMillis)],
                         names: ["#f": RoutesTable.failingSince])
    }

    public func clearFailing(clientID: String) async throws {
        try await update(clientID, "REMOVE #f", [:], names: ["#f": RoutesTable.failingSince])
    }

    private func update(_ clientID: String, _ expression: String, _ values: [String: DynamoDBValue],
                        names: [String: String]) async throws {
        var allNames = names
        allNames["#k"] = RoutesTable.clientID
        do {
            _ = try await dynamo.updateItem(table: table, key: [RoutesTable.clientID: .s(clientID)], expressions: DynamoDBExpressions(
                condition: "attribute_exists(#k)", update: expression, names: allNames, values: values))
        } catch let error as AWSError where error.isConditionalCheckFailed {
            return
        }
    }
}
