import PismoJSON

/// DynamoDB Streams: ListStreams, DescribeStream, GetShardIterator, GetRecords. An iterator names
/// (stream, shard, position, issue time) and expires after 15 minutes, as AWS's do.
extension FakeDynamo {
    static let iteratorLifetimeMillis: Int64 = 15 * 60 * 1000

    func listStreams(_ root: JSONNode) -> [UInt8] {
        let tableName = root["TableName"]?.string
        let selected = streams.filter { tableName == nil || $0.tableName == tableName }
        return response { w in
            w.key("Streams"); w.beginArray()
            for s in selected {
                w.beginObject()
                w.key("StreamArn"); w.string(s.arn); w.key("TableName"); w.string(s.tableName); w.key("StreamLabel"); w.string(s.label)
                w.endObject()
            }
            w.endArray()
        }
    }

    func describeStream(_ root: JSONNode) throws(FakeError) -> [UInt8] {
        let (_, stream) = try streamArgument(root)
        var shards = Array(stream.shards.indices)
        if let filter = root["ShardFilter"] {
            guard filter["Type"]?.string == "CHILD_SHARDS", filter["ShardId"]?.string != nil else { throw .validation("ShardFilter Type must be CHILD_SHARDS with a ShardId") }
            shards = []  // shards never split here: no shard has children
        }
        if let start = root["ExclusiveStartShardId"]?.string, let i = stream.shards.firstIndex(where: { $0.id == start }) {
            shards = shards.filter { $0 > i }
        }
        let limit = min(100, max(1, root["Limit"]?.int ?? 100))
        let page = Array(shards.prefix(limit))
        return response { w in
            w.key("StreamDescription"); w.beginObject()
            w.key("StreamArn"); w.string(stream.arn)
            w.key("StreamLabel"); w.string(stream.label)
            w.key("StreamStatus"); w.string(stream.enabled ? "ENABLED" : "DISABLED")
            w.key("StreamViewType"); w.string(stream.viewType)
            w.key("TableName"); w.string(stream.tableName)
            w.key("KeySchema"); w.beginArray()
            for (i, k) in stream.keySchema.enumerated() {
                w.beginObject(); w.key("AttributeName"); w.string(k.name); w.key("KeyType"); w.string(i == 0 ? "HASH" : "RANGE"); w.endObject()
            }
            w.endArray()
            w.key("Shards"); w.beginArray()
            for i in page {
                let shard = stream.shards[i]
                w.beginObject()
                w.key("ShardId"); w.string(shard.id)
                w.key("SequenceNumberRange"); w.beginObject()
                w.key("StartingSequenceNumber"); w.string(Stream.sequenceText(shard.startingSequence))
                if let end = shard.endingSequence { w.key("EndingSequenceNumber"); w.string(Stream.sequenceText(end)) }
                w.endObject()
                w.endObject()
            }
            w.endArray()
            if page.count < shards.count, let last = page.last { w.key("LastEvaluatedShardId"); w.string(stream.shards[last].id) }
            w.endObject()
        }
    }

    func getShardIterator(_ root: JSONNode, nowMillis: Int64) throws(FakeError) -> [UInt8] {
        let (streamIndex, stream) = try streamArgument(root)
        guard let shardID = root["ShardId"]?.string, let shardIndex = stream.shards.firstIndex(where: { $0.id == shardID }) else {
            throw .resourceNotFound("Requested resource not found: Shard does not exist")
        }
        let shard = stream.shards[shardIndex]
        let position: Int
        switch root["ShardIteratorType"]?.string {
        case "TRIM_HORIZON": position = 0
        case "LATEST": position = shard.records.count
        case let type? where type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER":
            guard let text = root["SequenceNumber"]?.string, let n = Stream.parseSequence(text) else {
                throw .validation("Invalid SequenceNumber for \(type)")
            }
            // First record at (or after) the number; records are in sequence order within a shard.
            var lo = 0, hi = shard.sequences.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if type == "AT_SEQUENCE_NUMBER" ? shard.sequences[mid] < n : shard.sequences[mid] <= n { lo = mid + 1 } else { hi = mid }
            }
            position = lo
        default:
            throw .validation("ShardIteratorType must be TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER")
        }
        return response { w in w.key("ShardIterator"); w.string(Self.iterator(streamIndex, shardIndex, position, nowMillis)) }
    }

    func getRecords(_ root: JSONNode, nowMillis: Int64) throws(FakeError) -> [UInt8] {
        guard let text = root["ShardIterator"]?.string else { throw .validation("ShardIterator is required") }
        let parts = text.split(separator: ":")
        guard parts.count == 5, parts[0] == "fakeaws", let s = Int(parts[1]), let h = Int(parts[2]), let p = Int(parts[3]), let issued = Int64(parts[4]),
              s >= 0, s < streams.count, h >= 0, h < streams[s].shards.count, p >= 0, p <= streams[s].shards[h].records.count else {
            throw .validation("Invalid ShardIterator")
        }
        if nowMillis - issued > Self.iteratorLifetimeMillis {
            throw FakeError(code: "ExpiredIteratorException", message: "Iterator expired. The iterator was created at time \(ISOTime.format(millis: issued)) while right now it is \(ISOTime.format(millis: nowMillis)) which is further in the future than the tolerated delay of 900000 milliseconds.")
        }
        let limit = root["Limit"]?.int ?? 1000
        guard limit >= 1 && limit <= 1000 else { throw .validation("Limit must be between 1 and 1000") }
        let shard = streams[s].shards[h]
        var w = JSONWriter(capacity: 4096)
        w.beginObject()
        w.key("Records"); w.beginArray()
        var position = p, bytes = 0
        while position < shard.records.count, position - p < limit, bytes < Self.pageBytes {
            w.raw(shard.records[position])
            bytes += shard.records[position].count
            position += 1
        }
        w.endArray()
        // A closed shard read to its end has no next iterator: that is how a reader learns it is done.
        if !(shard.endingSequence != nil && position == shard.records.count) {
            w.key("NextShardIterator"); w.string(Self.iterator(s, h, position, nowMillis))
        }
        w.endObject()
        return w.bytes
    }

    private func streamArgument(_ root: JSONNode) throws(FakeError) -> (Int, Stream) {
        guard let arn = root["StreamArn"]?.string else { throw .validation("StreamArn is required") }
        guard let i = streams.firstIndex(where: { $0.arn == arn }) else { throw .resourceNotFound("Requested resource not found: Stream: \(arn) not found") }
        return (i, streams[i])
    }

    static func iterator(_ stream: Int, _ shard: Int, _ position: Int, _ issued: Int64) -> String {
        "fakeaws:\(stream):\(shard):\(position):\(issued)"
    }
}
