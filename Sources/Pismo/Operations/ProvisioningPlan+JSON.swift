import PismoJSON

/// `pismo init --describe`: the plan as JSON, in the names CloudFormation uses for the same settings
/// (`KeySchema`, `StreamViewType`, `maxReceiveCount` ...), so the checker compares like with like.
extension ProvisioningPlan {
    public var json: String {
        var w = JSONWriter()
        w.beginObject()
        w.key("queues"); w.beginArray()
        for queue in queues { Self.write(queue, into: &w) }
        w.endArray()
        w.key("tables"); w.beginArray()
        for table in tables { Self.write(table, into: &w) }
        w.endArray()
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    private static func write(_ queue: Queue, into w: inout JSONWriter) {
        w.beginObject()
        w.key("env"); w.string(queue.env)
        w.key("name"); w.string(queue.name)
        w.key("MessageRetentionPeriod"); w.int(queue.retentionSeconds)
        w.key("VisibilityTimeout"); w.int(queue.visibilitySeconds)
        w.key("RedrivePolicy")
        if let target = queue.redriveTarget, let count = queue.maxReceiveCount {
            w.beginObject()
            w.key("deadLetterTargetEnv"); w.string(target)
            w.key("maxReceiveCount"); w.int(count)
            w.endObject()
        } else {
            w.null()
        }
        w.endObject()
    }

    private static func write(_ table: Table, into w: inout JSONWriter) {
        w.beginObject()
        w.key("env"); w.string(table.env)
        w.key("name"); w.string(table.name)
        w.key("KeySchema"); w.beginArray()
        for key in table.key {
            w.beginObject()
            w.key("AttributeName"); w.string(key.name)
            w.key("KeyType"); w.string(key.keyType.rawValue)
            w.key("AttributeType"); w.string(key.attributeType.rawValue)
            w.endObject()
        }
        w.endArray()
        w.key("StreamViewType")
        if let stream = table.stream { w.string(stream.rawValue) } else { w.null() }
        w.key("TimeToLiveAttribute")
        if let ttl = table.ttlAttribute { w.string(ttl) } else { w.null() }
        w.key("BillingMode"); w.string(table.billingMode)
        w.endObject()
    }
}
