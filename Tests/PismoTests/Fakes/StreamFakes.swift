import Transport
import Foundation
@testable import Pismo

/// One shard held in memory. Iterators are "<shard>@<index>" positions; `expireNext` makes the next
/// GetRecords fail with an expired iterator, as real iterators do after 15 minutes, and
/// `failuresLeft` makes that many GetRecords calls fail as an unreachable Streams endpoint would.
final class MemoryStream: StreamShardSource {
    struct State {
        var records: [ChangeRecord] = []
        var closed = false
        var expireNext = false
        var failuresLeft = 0
        /// Records before this index are trimmed: positions in them fail with `trimmedData`, and
        /// TRIM_HORIZON starts here.
        var trimmedBefore = 0
        var iteratorRequests: [String?] = []
        var readTimes: [ContinuousClock.Instant] = []
        var reads: Int { readTimes.count }
    }
    let state = Locked(State())
    let pageSize: Int

    init(pageSize: Int = 7) { self.pageSize = pageSize }

    func append(_ records: [ChangeRecord]) { state.withLock { $0.records.append(contentsOf: records) } }

    /// Appends the INSERT a newly stored item makes, with the next sequence number.
    func appendInsert(_ item: EventItem) {
        state.withLock { s in
            let job = DeliveryJob(clientID: item.clientID, eventID: item.eventID, eventType: item.eventType, payload: item.payload)
            s.records.append(ChangeRecord(sequenceNumber: String(format: "%021d", s.records.count + 1), eventKey: item.eventKey,
                                          kind: .inserted(job, direct: item.directDispatch)))
        }
    }
    func close() { state.withLock { $0.closed = true } }

    func listShards() async throws -> [ShardInfo] { [ShardInfo(shardID: "shard-0")] }

    func iterator(shardID: String, after: String?) async throws -> String {
        let index = try state.withLock { s in
            s.iteratorRequests.append(after)
            guard let after else { return s.trimmedBefore }
            let index = (s.records.firstIndex { $0.sequenceNumber == after } ?? -1) + 1
            if index < s.trimmedBefore { throw StreamReadError.trimmedData }
            return index
        }
        return "\(shardID)@\(index)"
    }

    func records(iterator: String) async throws -> (records: [ChangeRecord], next: String?) {
        let start = Int(iterator.split(separator: "@")[1])!
        return try state.withLock { s in
            s.readTimes.append(.now)
            if s.expireNext { s.expireNext = false; throw StreamReadError.expiredIterator }
            if s.failuresLeft > 0 { s.failuresLeft -= 1; throw AWSError.outage("dynamodb", "GetRecords") }
            if start < s.trimmedBefore { throw StreamReadError.trimmedData }
            let page = Array(s.records[min(start, s.records.count)..<min(start + pageSize, s.records.count)])
            let end = start + page.count
            if s.closed && end >= s.records.count { return (page, nil) }
            return (page, "shard-0@\(end)")
        }
    }
}

final class MemoryLeases: LeaseStore {
    let rows = Locked<[String: ShardLease]>([:])
    let checkpoints = Locked<[String]>([])
    /// Every `resolved_through` written, in order.
    let resolvedWrites = Locked<[Int64]>([])

    func leases() async throws -> [ShardLease] { rows.withLock { Array($0.values) } }

    func acquire(shardID: String, owner: String, expiresAtMillis: Int64, observed: ShardLease?) async throws -> Bool {
        rows.withLock { rows in
            guard rows[shardID] == observed else { return false }
            rows[shardID] = ShardLease(shardID: shardID, owner: owner, expiresAtMillis: expiresAtMillis,
                                       checkpoint: observed?.checkpoint, resolvedThroughMillis: observed?.resolvedThroughMillis,
                                       counter: (observed?.counter ?? 0) + 1)
            return true
        }
    }

    func renew(shardID: String, owner: String, expiresAtMillis: Int64) async throws -> Bool {
        rows.withLock { rows in
            guard rows[shardID]?.owner == owner else { return false }
            rows[shardID]?.expiresAtMillis = expiresAtMillis
            let counter = rows[shardID]?.counter ?? 0
            rows[shardID]?.counter = counter + 1
            return true
        }
    }

    func checkpoint(shardID: String, owner: String, sequenceNumber: String?, resolvedThroughMillis: Int64?) async throws -> Bool {
        let ok = rows.withLock { rows in
            guard rows[shardID]?.owner == owner else { return false }
            if let sequenceNumber { rows[shardID]?.checkpoint = sequenceNumber }
            if let resolvedThroughMillis { rows[shardID]?.resolvedThroughMillis = resolvedThroughMillis }
            return true
        }
        if ok, let sequenceNumber { checkpoints.withLock { $0.append(sequenceNumber) } }
        if ok, let resolvedThroughMillis { resolvedWrites.withLock { $0.append(resolvedThroughMillis) } }
        return ok
    }

    func steal(_ shardID: String, by owner: String) {
        rows.withLock { $0[shardID]?.owner = owner }
    }
}

func insertRecord(_ seq: Int, client: String, direct: Bool = false) -> ChangeRecord {
    let job = DeliveryJob(clientID: client, eventID: "e\(seq)", eventType: "t", payload: Array("{\"n\":\(seq)}".utf8), eventKey: "k\(seq)")
    return ChangeRecord(sequenceNumber: String(format: "%021d", seq), eventKey: "k\(seq)", kind: .inserted(job, direct: direct))
}

/// Watches a lease store (in memory or on moto): counts scans, so a test can wait for an instance
/// to have looked at the leases instead of guessing how long that takes, and goes silent when
/// `dead` is set, as a crashed process would.
final class WatchedLeases: LeaseStore {
    let inner: any LeaseStore
    let scans = Locked(0)
    let dead = Locked(false)
    struct Dead: Error {}
    init(_ inner: any LeaseStore) { self.inner = inner }

    private func check() throws { if dead.withLock({ $0 }) { throw Dead() } }
    func leases() async throws -> [ShardLease] {
        try check()
        defer { scans.withLock { $0 += 1 } }
        return try await inner.leases()
    }
    func acquire(shardID: String, owner: String, expiresAtMillis: Int64, observed: ShardLease?) async throws -> Bool {
        try check(); return try await inner.acquire(shardID: shardID, owner: owner, expiresAtMillis: expiresAtMillis, observed: observed)
    }
    func renew(shardID: String, owner: String, expiresAtMillis: Int64) async throws -> Bool {
        try check(); return try await inner.renew(shardID: shardID, owner: owner, expiresAtMillis: expiresAtMillis)
    }
    func checkpoint(shardID: String, owner: String, sequenceNumber: String?, resolvedThroughMillis: Int64?) async throws -> Bool {
        try check()
        return try await inner.checkpoint(shardID: shardID, owner: owner, sequenceNumber: sequenceNumber, resolvedThroughMillis: resolvedThroughMillis)
    }
}

/// The Events table as a range read sees it: rows with their `received_at`; `failuresLeft` makes
/// that many reads fail as an unreachable DynamoDB would.
final class MemoryStoredEventRanges: StoredEventRanges {
    struct Row { var reference: StoredEventReference; var receivedAtMillis: Int64; var eventType: String = "t" }
    let rows = Locked<[Row]>([])
    let failuresLeft = Locked(0)
    let reads = Locked(0)

    func add(_ reference: StoredEventReference, receivedAtMillis: Int64, eventType: String = "t") {
        rows.withLock { $0.append(Row(reference: reference, receivedAtMillis: receivedAtMillis, eventType: eventType)) }
    }

    func segments(for range: StoredEventRange, wanted: Int) -> Int { range.clientID == nil ? wanted : 1 }

    func references(_ range: StoredEventRange, segment: Int, of segments: Int,
                    page: ([StoredEventReference]) async throws -> Void) async throws {
        reads.withLock { $0 += 1 }
        if failuresLeft.withLock({ n in defer { n -= 1 }; return n > 0 }) { throw AWSError.outage("dynamodb", "Scan") }
        let matching = rows.withLock { $0 }.enumerated().filter { index, row in
            index % segments == segment && row.receivedAtMillis >= range.fromMillis
                && range.untilMillis.map { row.receivedAtMillis < $0 } ?? true
                && range.clientID.map { row.reference.clientID == $0 } ?? true
                && range.eventType.map { row.eventType == $0 } ?? true
        }.map(\.element.reference)
        var start = 0
        while start < matching.count {
            try await page(Array(matching[start..<min(start + 3, matching.count)]))
            start += 3
        }
    }
}
