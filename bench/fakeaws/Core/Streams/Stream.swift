import PismoJSON

/// A table's stream: a fixed number of open shards, each record going to the shard of its
/// partition key (so one item's changes stay in order, as in DynamoDB). Records are encoded once,
/// when the write happens, in the shape AWS gives them; GetRecords only copies bytes.
public final class Stream {
    public struct Shard {
        public var id: String
        public var startingSequence: UInt64
        public var endingSequence: UInt64?
        /// Encoded records and their sequence numbers, oldest first.
        public var records: [[UInt8]] = []
        public var sequences: [UInt64] = []
    }

    public let arn: String
    public let label: String
    public let viewType: String
    public let tableName: String
    public let keySchema: [(name: String, type: String)]
    public var shards: [Shard]
    public var enabled = true
    let region: String

    init(table: String, keySchema: [(name: String, type: String)], viewType: String, shardCount: Int,
         nowMillis: Int64, firstSequence: UInt64, region: String, account: String) {
        label = Self.label(nowMillis)
        arn = "arn:aws:dynamodb:\(region):\(account):table/\(table)/stream/\(label)"
        self.viewType = viewType
        tableName = table
        self.keySchema = keySchema
        self.region = region
        shards = (0..<max(1, shardCount)).map { i in
            let hex = String(i, radix: 16)
            return Shard(id: "shardId-\(String(repeating: "0", count: max(0, 20 - String(nowMillis).count)))\(nowMillis)-\(String(repeating: "0", count: 8 - hex.count))\(hex)",
                         startingSequence: firstSequence)
        }
    }

    /// Sequence numbers on the wire: 21 decimal digits, so they compare as numbers and as strings.
    static func sequenceText(_ n: UInt64) -> String {
        let digits = String(n)
        return "1" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    static func parseSequence(_ text: String) -> UInt64? {
        guard text.utf8.count == 21, text.hasPrefix("1") else { return nil }
        return UInt64(text.dropFirst())
    }

    func shardIndex(for partition: KeyValue) -> Int { Int(partition.stableHash % UInt64(shards.count)) }

    /// Records one change. `old`/`new` nil mean absent (INSERT has no old, REMOVE no new).
    func record(partition: KeyValue, keys: Item, old: Item?, new: Item?, sequence: UInt64, eventID: String, nowMillis: Int64) {
        guard enabled else { return }
        let name = old == nil ? "INSERT" : (new == nil ? "REMOVE" : "MODIFY")
        var w = JSONWriter(capacity: 256 + (new?.encoded.count ?? 0) + (old?.encoded.count ?? 0))
        w.beginObject()
        w.key("eventID"); w.string(eventID)
        w.key("eventName"); w.string(name)
        w.key("eventVersion"); w.string("1.1")
        w.key("eventSource"); w.string("aws:dynamodb")
        w.key("awsRegion"); w.string(region)
        w.key("dynamodb"); w.beginObject()
        // Epoch seconds, rounded down to the second as AWS documents it.
        w.key("ApproximateCreationDateTime"); w.int(Int(nowMillis / 1000))
        w.key("Keys"); w.raw(keys.encoded)
        var size = keys.approximateSize
        if let new, viewType == "NEW_IMAGE" || viewType == "NEW_AND_OLD_IMAGES" {
            w.key("NewImage"); w.raw(new.encoded); size += new.approximateSize
        }
        if let old, viewType == "OLD_IMAGE" || viewType == "NEW_AND_OLD_IMAGES" {
            w.key("OldImage"); w.raw(old.encoded); size += old.approximateSize
        }
        w.key("SequenceNumber"); w.string(Self.sequenceText(sequence))
        w.key("SizeBytes"); w.int(size)
        w.key("StreamViewType"); w.string(viewType)
        w.endObject()
        w.endObject()
        let shard = shardIndex(for: partition)
        shards[shard].records.append(w.bytes)
        shards[shard].sequences.append(sequence)
    }

    /// Disabling a stream closes its shards; they stay readable.
    func close(lastSequence: UInt64) {
        enabled = false
        for i in shards.indices where shards[i].endingSequence == nil {
            shards[i].endingSequence = shards[i].sequences.last ?? lastSequence
        }
    }

    static func label(_ millis: Int64) -> String {
        let iso = ISOTime.format(millis: millis)  // 2026-12-03T09:45:00.000Z
        return String(iso.dropLast())
    }
}
