/// The routes table on DynamoDB, read by delivery. Layout: `RoutesTable`, read by `RouteItem`.
public struct DynamoDBRouteStore: RouteStore, RouteHealth {
    let dynamo: DynamoDBClient
    let table: String

    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    public func route(for clientID: String) async throws -> Route? {
        guard let item = try await dynamo.getItem(table: table, key: [RoutesTable.clientID: .s(clientID)]) else { return nil }
        return RouteItem.route(from: item)
    }

    // Every write is conditional on the endpoint still being where it was read: an endpoint (or a
    // route) deleted or moved meanwhile is left as the operator made it.

    public func disable(clientID: String, endpointID: String, reason: String, at: String) async throws {
        try await update(clientID, endpointID, "SET {e}#d = :at, {e}#r = :reason", [":at": .s(at), ":reason": .s(reason)],
                         names: ["#d": RoutesTable.disabledAt, "#r": RoutesTable.disabledReason])
    }

    public func markFailing(clientID: String, endpointID: String, sinceMillis: Int64) async throws {
        try await update(clientID, endpointID, "SET {e}#f = if_not_exists({e}#f, :since)", [":since": .number(sinceMillis)],
                         names: ["#f": RoutesTable.failingSince])
    }

    public func clearFailing(clientID: String, endpointID: String) async throws {
        try await update(clientID, endpointID, "REMOVE {e}#f", [:], names: ["#f": RoutesTable.failingSince])
    }

    /// Applies `expression` with `{e}` standing for the endpoint's place: the item's top level for
    /// "default", `endpoints[i].` for the others — found by reading the item, and conditioned on the
    /// map at that index still having the endpoint's id (re-read, a few times, if the list moved).
    private func update(_ clientID: String, _ endpointID: String, _ expression: String, _ values: [String: DynamoDBValue],
                        names: [String: String]) async throws {
        var allNames = names
        allNames["#k"] = RoutesTable.clientID
        let key: DynamoDBItem = [RoutesTable.clientID: .s(clientID)]
        guard endpointID != Endpoint.defaultID else {
            let update = expression.replacingOccurrences(of: "{e}", with: "")
            try await conditionalUpdate(key, DynamoDBExpressions(condition: "attribute_exists(#k) AND attribute_exists(#u)",
                                                                 update: update, names: allNames.merging(["#u": RoutesTable.url]) { a, _ in a },
                                                                 values: values))
            return
        }
        for _ in 0..<3 {
            guard let item = try await dynamo.getItem(table: table, key: key, consistentRead: true),
                  let index = item[RoutesTable.endpoints]?.list?.firstIndex(where: { $0.map?[RoutesTable.id]?.string == endpointID })
            else { return }
            var indexedValues = values
            indexedValues[":endpoint_id"] = .s(endpointID)
            var indexedNames = allNames
            indexedNames["#e"] = RoutesTable.endpoints
            indexedNames["#id"] = RoutesTable.id
            let place = "#e[\(index)]."
            let updated = try await conditionalUpdate(key, DynamoDBExpressions(
                condition: "attribute_exists(#k) AND \(place)#id = :endpoint_id", update: expression.replacingOccurrences(of: "{e}", with: place),
                names: indexedNames, values: indexedValues))
            if updated { return }
        }
    }

    /// false when the condition failed (the route or endpoint changed meanwhile).
    @discardableResult
    private func conditionalUpdate(_ key: DynamoDBItem, _ expressions: DynamoDBExpressions) async throws -> Bool {
        do {
            _ = try await dynamo.updateItem(table: table, key: key, expressions: expressions)
            return true
        } catch let error as AWSError where error.isConditionalCheckFailed {
            return false
        }
    }
}
