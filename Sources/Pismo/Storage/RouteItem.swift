import Foundation

/// Reads and writes a `Route` as a routes-table item (layout: `RoutesTable`). Shared by delivery and
/// `pismo routes`, so both read the same endpoints from the same item.
public enum RouteItem {
    /// The route an item describes; nil when it has no endpoint at all.
    public static func route(from item: DynamoDBItem) -> Route? {
        var endpoints: [Endpoint] = []
        if let url = item[RoutesTable.url]?.string {
            var legacy = endpoint(from: item, id: Endpoint.defaultID, url: url)
            if legacy.secrets.isEmpty, let secret = item[RoutesTable.secret]?.string { legacy.secrets = [secret] }
            endpoints.append(legacy)
        }
        for value in item[RoutesTable.endpoints]?.list ?? [] {
            guard let map = value.map, let id = map[RoutesTable.id]?.string, let url = map[RoutesTable.url]?.string,
                  !endpoints.contains(where: { $0.id == id }) else { continue }
            endpoints.append(endpoint(from: map, id: id, url: url))
        }
        return endpoints.isEmpty ? nil : Route(endpoints: endpoints)
    }

    private static func endpoint(from map: DynamoDBItem, id: String, url: String) -> Endpoint {
        var expiries: [String: Int64] = [:]
        for (fingerprint, value) in map[RoutesTable.secretExpires]?.map ?? [:] { expiries[fingerprint] = value.int64 }
        return Endpoint(
            id: id, url: url,
            secrets: map[RoutesTable.secrets]?.list?.compactMap(\.string) ?? [],
            secretExpiryMillis: expiries,
            eventTypes: map[RoutesTable.eventTypes]?.list.map { Set($0.compactMap(\.string)) },
            ratePerSecond: map[RoutesTable.ratePerSecond]?.numberText.flatMap(Double.init),
            timeout: map[RoutesTable.timeoutMillis]?.int64.map { .milliseconds($0) },
            headers: (map[RoutesTable.headers]?.map ?? [:]).compactMapValues(\.string),
            disabledAt: map[RoutesTable.disabledAt]?.string,
            disabledReason: map[RoutesTable.disabledReason]?.string,
            failingSinceMillis: map[RoutesTable.failingSince]?.int64)
    }

    /// The attributes that describe `endpoint`'s settings (not its health), for a map in `endpoints`
    /// or, for "default", the item's top level.
    public static func attributes(of endpoint: Endpoint) -> DynamoDBItem {
        var map: DynamoDBItem = [RoutesTable.url: .s(endpoint.url)]
        if endpoint.id != Endpoint.defaultID { map[RoutesTable.id] = .s(endpoint.id) }
        if endpoint.id == Endpoint.defaultID, let current = endpoint.secrets.first {
            // The legacy layout while it says everything: one secret is `secret` alone.
            map[RoutesTable.secret] = .s(current)
            if endpoint.secrets.count > 1 { map[RoutesTable.secrets] = .l(endpoint.secrets.map { .s($0) }) }
        } else if !endpoint.secrets.isEmpty {
            map[RoutesTable.secrets] = .l(endpoint.secrets.map { .s($0) })
        }
        if !endpoint.secretExpiryMillis.isEmpty {
            map[RoutesTable.secretExpires] = .m(endpoint.secretExpiryMillis.mapValues { .number($0) })
        }
        if let types = endpoint.eventTypes { map[RoutesTable.eventTypes] = .l(types.sorted().map { .s($0) }) }
        if let rate = endpoint.ratePerSecond { map[RoutesTable.ratePerSecond] = .n(String(rate)) }
        if let timeout = endpoint.timeout {
            map[RoutesTable.timeoutMillis] = .number(timeout.wholeMilliseconds)
        }
        if !endpoint.headers.isEmpty { map[RoutesTable.headers] = .m(endpoint.headers.mapValues { .s($0) }) }
        if let at = endpoint.disabledAt { map[RoutesTable.disabledAt] = .s(at) }
        if let reason = endpoint.disabledReason { map[RoutesTable.disabledReason] = .s(reason) }
        if let since = endpoint.failingSinceMillis { map[RoutesTable.failingSince] = .number(since) }
        return map
    }

    /// The whole item for `route` (`pismo routes` writes items whole, conditioned on what it read).
    public static func item(clientID: String, route: Route) -> DynamoDBItem {
        var item: DynamoDBItem = [RoutesTable.clientID: .s(clientID)]
        var others: [DynamoDBValue] = []
        for endpoint in route.endpoints {
            if endpoint.id == Endpoint.defaultID {
                item.merge(attributes(of: endpoint)) { _, new in new }
            } else {
                others.append(.m(attributes(of: endpoint)))
            }
        }
        if !others.isEmpty { item[RoutesTable.endpoints] = .l(others) }
        return item
    }
}
