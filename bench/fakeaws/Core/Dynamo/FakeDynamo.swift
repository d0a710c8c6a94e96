import PismoJSON

/// DynamoDB in memory: tables, their streams, the expression cache. Not thread-safe: `FakeAWS`
/// calls it under its lock.
public final class FakeDynamo {
    public var tables: [String: Table] = [:]
    /// Every stream ever created (a disabled one stays readable), in creation order.
    public var streams: [Stream] = []
    let region: String
    let account: String
    let shardCount: Int
    private var lastSequence: UInt64 = 0
    private var eventCounter: UInt64 = 0
    private var conditionCache: [String: Condition] = [:]
    private var updateCache: [String: UpdateActions] = [:]
    private var projectionCache: [String: [String]] = [:]

    init(region: String, account: String, shardCount: Int) {
        self.region = region
        self.account = account
        self.shardCount = shardCount
    }

    func nextSequence() -> UInt64 {
        lastSequence += 1
        return lastSequence
    }

    /// 32 hex digits, unique in the process, like AWS's record event ids.
    func nextEventID() -> String {
        eventCounter += 1
        let hex = String(eventCounter &* 0x9E37_79B9_7F4A_7C15, radix: 16)
        let count = String(eventCounter, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + String(repeating: "0", count: 16 - count.count) + count
    }

    func table(_ root: JSONNode) throws(FakeError) -> Table {
        guard let name = root["TableName"]?.string else { throw .validation("TableName is required") }
        guard let table = tables[name] else { throw .resourceNotFound("Requested resource not found: Table: \(name) not found") }
        return table
    }

    // MARK: expressions (parsed once per distinct text)

    func condition(_ text: String) throws(FakeError) -> Condition {
        if let c = conditionCache[text] { return c }
        let c = try ExpressionParser.condition(text)
        conditionCache[text] = c
        return c
    }

    func update(_ text: String) throws(FakeError) -> UpdateActions {
        if let u = updateCache[text] { return u }
        let u = try ExpressionParser.update(text)
        updateCache[text] = u
        return u
    }

    func projection(_ text: String) throws(FakeError) -> [String] {
        if let p = projectionCache[text] { return p }
        let p = try ExpressionParser.projection(text)
        projectionCache[text] = p
        return p
    }

    /// The request's expressions, parsed, with the check DynamoDB makes that every defined
    /// placeholder is used. Legacy parameters (Expected, AttributeUpdates, ...) are refused.
    struct Expressions {
        var condition: Condition?
        var update: UpdateActions?
        var keyCondition: Condition?
        var filter: Condition?
        var projection: [String]?
        var context: ExpressionContext
    }

    func expressions(_ root: JSONNode) throws(FakeError) -> Expressions {
        for legacy in ["Expected", "AttributeUpdates", "KeyConditions", "QueryFilter", "ScanFilter", "AttributesToGet", "ConditionalOperator"]
            where root[legacy] != nil {
            throw .unimplemented("the legacy parameter \(legacy)")
        }
        var names: [String: String] = [:]
        for (k, v) in root["ExpressionAttributeNames"]?.members ?? JSONNode.emptyMembers {
            guard let s = v.string else { throw .validation("ExpressionAttributeNames values must be strings") }
            names[k] = s
        }
        var values: [String: AttributeValue] = [:]
        for (k, v) in root["ExpressionAttributeValues"]?.members ?? JSONNode.emptyMembers {
            guard let a = AttributeValue(v) else { throw .validation("ExpressionAttributeValues contains an invalid value: Supplied AttributeValue is empty for key \(k)") }
            values[k] = a
        }
        var e = Expressions(context: ExpressionContext(names: names, values: values))
        var usedNames: Set<String> = [], usedValues: Set<String> = []
        if let t = root["ConditionExpression"]?.string { e.condition = try condition(t); Placeholders.collect(e.condition!, &usedNames, &usedValues) }
        if let t = root["UpdateExpression"]?.string { e.update = try update(t); Placeholders.collect(e.update!, &usedNames, &usedValues) }
        if let t = root["KeyConditionExpression"]?.string { e.keyCondition = try condition(t); Placeholders.collect(e.keyCondition!, &usedNames, &usedValues) }
        if let t = root["FilterExpression"]?.string { e.filter = try condition(t); Placeholders.collect(e.filter!, &usedNames, &usedValues) }
        if let t = root["ProjectionExpression"]?.string {
            let p = try projection(t)
            for path in p { Placeholders.path(path, &usedNames) }
            e.projection = try p.map { (path) throws(FakeError) in try e.context.attributeName(path) }
        }
        let unusedNames = Set(names.keys).subtracting(usedNames)
        if !unusedNames.isEmpty {
            throw .validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {\(unusedNames.sorted().joined(separator: ", "))}")
        }
        let unusedValues = Set(values.keys).subtracting(usedValues)
        if !unusedValues.isEmpty {
            throw .validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {\(unusedValues.sorted().joined(separator: ", "))}")
        }
        return e
    }

    static let conditionFailed = FakeError(code: "ConditionalCheckFailedException", message: "The conditional request failed")
}

extension JSONNode {
    /// An empty member sequence, for optional objects.
    static var emptyMembers: JSONMembers { emptyDocument.root.members }
    private static let emptyDocument = try! JSONDocument(bytes: Array("{}".utf8))
}
