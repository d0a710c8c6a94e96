import PismoJSON
import Foundation

/// DynamoDB Streams over AWS JSON 1.0 (`DynamoDBStreams_20120810.*`). Host `streams.dynamodb.<region>`
/// but the SigV4 signing name is `dynamodb` (see `AWSService.dynamoDBStreams`). All four operations
/// are reads and safe to retry. Thread-safe value.
public struct DynamoDBStreamsClient: Sendable {
    public let transport: AWSJSONClient

    public init(context: AWSClientContext, endpoint: String? = nil) {
        transport = AWSJSONClient(service: .dynamoDBStreams, context: context, endpoint: endpoint)
    }

    static let listStreams = AWSOperation("ListStreams", .idempotent)
    static let describeStream = AWSOperation("DescribeStream", .idempotent)
    static let getShardIterator = AWSOperation("GetShardIterator", .idempotent)
    static let getRecords = AWSOperation("GetRecords", .idempotent)

    public func listStreams(tableName: String? = nil, limit: Int? = nil, exclusiveStartStreamARN: String? = nil) async throws
        -> (streams: [StreamSummary], lastEvaluatedStreamARN: String?) {
        let r = try await transport.call(Self.listStreams) { w in
            if let tableName { w.key("TableName"); w.string(tableName) }
            if let limit { w.key("Limit"); w.int(limit) }
            if let exclusiveStartStreamARN { w.key("ExclusiveStartStreamArn"); w.string(exclusiveStartStreamARN) }
        }
        let streams = r["Streams"].items.map {
            StreamSummary(streamARN: $0["StreamArn"]?.string ?? "", tableName: $0["TableName"]?.string ?? "",
                          streamLabel: $0["StreamLabel"]?.string ?? "")
        }
        return (streams, r["LastEvaluatedStreamArn"]?.string)
    }

    /// One page of shards (`limit` ≤ 100). `childrenOf` asks only for the children of a closed shard
    /// (`ShardFilter {Type: CHILD_SHARDS}`), the cheap way to follow lineage after a shard ends.
    public func describeStream(streamARN: String, limit: Int? = nil, exclusiveStartShardID: String? = nil,
                               childrenOf parentShardID: String? = nil) async throws -> StreamDescription {
        let r = try await transport.call(Self.describeStream) { w in
            w.key("StreamArn"); w.string(streamARN)
            if let limit { w.key("Limit"); w.int(limit) }
            if let exclusiveStartShardID { w.key("ExclusiveStartShardId"); w.string(exclusiveStartShardID) }
            if let parentShardID {
                w.key("ShardFilter"); w.beginObject()
                w.key("Type"); w.string("CHILD_SHARDS")
                w.key("ShardId"); w.string(parentShardID)
                w.endObject()
            }
        }
        let d = r["StreamDescription"]
        let shards = (d?["Shards"]).items.map { s in
            StreamShard(shardID: s["ShardId"]?.string ?? "", parentShardID: s["ParentShardId"]?.string,
                        startingSequenceNumber: s["SequenceNumberRange"]?["StartingSequenceNumber"]?.string,
                        endingSequenceNumber: s["SequenceNumberRange"]?["EndingSequenceNumber"]?.string)
        }
        return StreamDescription(streamARN: d?["StreamArn"]?.string ?? streamARN, status: d?["StreamStatus"]?.string ?? "",
                                 viewType: d?["StreamViewType"]?.string, tableName: d?["TableName"]?.string,
                                 shards: shards, lastEvaluatedShardID: d?["LastEvaluatedShardId"]?.string)
    }

    /// Every shard, following `LastEvaluatedShardId` page by page.
    public func describeAllShards(streamARN: String, pageLimit: Int = 100, maxPages: Int = 1000) async throws -> [StreamShard] {
        var shards: [StreamShard] = []
        var start: String?
        for _ in 0..<maxPages {
            let page = try await describeStream(streamARN: streamARN, limit: pageLimit, exclusiveStartShardID: start)
            shards += page.shards
            guard let next = page.lastEvaluatedShardID else { break }
            start = next
        }
        return shards
    }

    public func getShardIterator(streamARN: String, shardID: String, type: ShardIteratorType) async throws -> String {
        do {
            let r = try await transport.call(Self.getShardIterator) { w in
                w.key("StreamArn"); w.string(streamARN)
                w.key("ShardId"); w.string(shardID)
                w.key("ShardIteratorType"); w.string(type.wireName)
                if let seq = type.sequenceNumber { w.key("SequenceNumber"); w.string(seq) }
            }
            guard let iterator = r["ShardIterator"]?.string else {
                throw AWSError(service: "dynamodbstreams", operation: "GetShardIterator", status: 200,
                               code: AWSError.invalidResponse, message: "no ShardIterator (shard closed and empty?)")
            }
            return iterator
        } catch let e as AWSError where e.code == "TrimmedDataAccessException" {
            throw DynamoDBStreamsError.trimmedData(e)
        }
    }

    /// Up to `limit` (≤ 1000) records. `next` nil means the shard is closed and fully read; an empty
    /// page with a `next` iterator is normal. Throws `DynamoDBStreamsError` for expired/trimmed.
    public func getRecords(iterator: String, limit: Int? = nil) async throws -> (records: [StreamRecord], next: String?) {
        let r: JSONNode
        do {
            r = try await transport.call(Self.getRecords) { w in
                w.key("ShardIterator"); w.string(iterator)
                if let limit { w.key("Limit"); w.int(limit) }
            }
        } catch let e as AWSError where e.code == "ExpiredIteratorException" {
            throw DynamoDBStreamsError.expiredIterator(e)
        } catch let e as AWSError where e.code == "TrimmedDataAccessException" {
            throw DynamoDBStreamsError.trimmedData(e)
        }
        let records = r["Records"].items.map(StreamRecord.init(json:))
        return (records, r["NextShardIterator"]?.string)
    }
}
