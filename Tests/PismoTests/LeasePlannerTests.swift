import Testing
@testable import Pismo

@Suite struct LeasePlannerTests {
    let now: Int64 = 1_000_000

    /// Liveness as a `LeaseObserver` would report it; here simply "owned and not yet past `expires`".
    func plan(_ shards: [ShardInfo], _ leases: [ShardLease], me: String) -> [String] {
        let live = Set(leases.filter { $0.owner != nil && $0.expiresAtMillis > now }.map(\.shardID))
        return LeasePlanner.shardsToAcquire(shards: shards, leases: leases, me: me, live: live)
    }

    func lease(_ shard: String, _ owner: String?, expires: Int64 = 2_000_000, checkpoint: String? = nil) -> ShardLease {
        ShardLease(shardID: shard, owner: owner, expiresAtMillis: expires, checkpoint: checkpoint)
    }

    @Test func firstInstanceTakesEveryFreeShard() {
        let shards = [ShardInfo(shardID: "a"), ShardInfo(shardID: "b")]
        #expect(plan(shards, [], me: "i1") == ["a", "b"])
    }

    @Test func childWaitsForItsParentToFinish() {
        let shards = [ShardInfo(shardID: "parent", endingSequenceNumber: "900"), ShardInfo(shardID: "child", parentShardID: "parent")]
        #expect(plan(shards, [], me: "i1") == ["parent"])
        let finished = [lease("parent", "i1", checkpoint: ShardLease.shardEnd)]
        #expect(plan(shards, finished, me: "i1") == ["child"])
    }

    @Test func childOfATrimmedParentIsEligible() {
        let shards = [ShardInfo(shardID: "child", parentShardID: "gone")]
        #expect(plan(shards, [], me: "i1") == ["child"])
    }

    @Test func twoInstancesSplitShardsFairly() {
        let shards = ["a", "b", "c", "d"].map { ShardInfo(shardID: $0) }
        let leases = [lease("a", "i1"), lease("b", "i1"), lease("c", "i1")]
        // i2 is not yet an owner, so the live set is {i1, i2}: target 2 each, and i2 may only take the free one.
        #expect(plan(shards, leases, me: "i2") == ["d"])
        // i1 already holds more than its share: it takes nothing more.
        let withI2 = leases + [lease("d", "i2")]
        #expect(plan(shards, withI2, me: "i1") == [])
    }

    @Test func expiredLeaseOfADeadInstanceIsTakenOver() {
        let shards = [ShardInfo(shardID: "a")]
        let leases = [lease("a", "dead", expires: now - 1, checkpoint: "500")]
        #expect(plan(shards, leases, me: "i2") == ["a"])
    }

    @Test func liveLeaseIsNotStolen() {
        let shards = [ShardInfo(shardID: "a")]
        #expect(plan(shards, [lease("a", "i1")], me: "i2") == [])
    }

    @Test func finishedShardsAreNeverLeasedAgain() {
        let shards = [ShardInfo(shardID: "a", endingSequenceNumber: "9")]
        let leases = [lease("a", nil, expires: 0, checkpoint: ShardLease.shardEnd)]
        #expect(plan(shards, leases, me: "i1") == [])
    }
}
