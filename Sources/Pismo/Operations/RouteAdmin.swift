import Transport

/// `pismo routes`: the `routes` table seen by operators.
public struct RouteAdmin: Sendable {
    let aws: PismoAWS
    let table: String

    public init(aws: PismoAWS, table: String) {
        self.aws = aws
        self.table = table
    }

    /// Refuses what could never be delivered: a URL the webhook client would refuse to send (parsed
    /// by the client's own `RequestTarget`) or a malformed secret.
    public static func validate(url: String, secret: String?) throws {
        do {
            _ = try RequestTarget(url: url)
        } catch {
            throw PismoError.invalidInput("route URL must be an absolute http:// or https:// URL without user info, got '\(url)': \(error)")
        }
        if let secret {
            do { _ = try WebhookSigner(secret: secret) } catch { throw PismoError.invalidInput(error.description) }
        }
    }

    public func set(client: String, url: String, secret: String?) async throws {
        try Self.validate(url: url, secret: secret)
        var item: DynamoDBItem = [RoutesTable.clientID: .s(client), RoutesTable.url: .s(url)]
        if let secret { item[RoutesTable.secret] = .s(secret) }
        _ = try await aws.dynamo.putItem(table: table, item: item)
    }

    public func list() async throws -> [(client: String, route: Route)] {
        try await aws.dynamo.scanAll(DynamoDBQuery(table: table)).compactMap { item in
            guard let client = item[RoutesTable.clientID]?.string, let url = item[RoutesTable.url]?.string else { return nil }
            return (client, Route(url: url, secret: item[RoutesTable.secret]?.string, disabledAt: item[RoutesTable.disabledAt]?.string,
                                  disabledReason: item[RoutesTable.disabledReason]?.string,
                                  failingSinceMillis: item[RoutesTable.failingSince]?.int64))
        }.sorted { $0.client < $1.client }
    }

    /// Enables a disabled route again (and forgets its failing streak). Returns false when there is no
    /// such route.
    public func enable(client: String) async throws -> Bool {
        do {
            _ = try await aws.dynamo.updateItem(table: table, key: [RoutesTable.clientID: .s(client)], expressions: DynamoDBExpressions(
                condition: "attribute_exists(#k)", update: "REMOVE #d, #r, #f",
                names: ["#k": RoutesTable.clientID, "#d": RoutesTable.disabledAt, "#r": RoutesTable.disabledReason,
                        "#f": RoutesTable.failingSince]))
            return true
        } catch let error as AWSError where error.isConditionalCheckFailed {
            return false
        }
    }

    /// Returns false when there was no such route.
    public func delete(client: String) async throws -> Bool {
        let old = try await aws.dynamo.deleteItem(table: table, key: [RoutesTable.clientID: .s(client)], returnValues: .allOld)
        return old != nil
    }
}
