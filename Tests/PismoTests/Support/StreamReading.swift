@testable import Pismo

/// Every record a stream source holds now, shard by shard in stream order, read through the port
/// itself (so the same helper reads the in-memory stream and a DynamoDB stream on moto). An open
/// shard never ends: an empty page means everything written so far has been read.
func streamRecords(_ source: any StreamShardSource) async throws -> [(shardID: String, record: ChangeRecord)] {
    var found: [(shardID: String, record: ChangeRecord)] = []
    for shard in try await source.listShards() {
        var iterator: String? = try await source.iterator(shardID: shard.shardID, after: nil)
        while let current = iterator {
            let page = try await source.records(iterator: current)
            found += page.records.map { (shard.shardID, $0) }
            iterator = page.records.isEmpty ? nil : page.next
        }
    }
    return found
}

/// The persisted checkpoint of `shardID`, if any.
func persistedCheckpoint(_ leases: any LeaseStore, _ shardID: String) async throws -> String? {
    try await leases.leases().first { $0.shardID == shardID }?.checkpoint
}
