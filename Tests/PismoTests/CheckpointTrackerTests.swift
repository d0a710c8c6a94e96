import Testing
@testable import Pismo

@Suite struct CheckpointTrackerTests {
    @Test func advancesOnlyOverContiguousResolvedPrefix() {
        var tracker = CheckpointTracker()
        for seq in ["100", "200", "300"] { tracker.track(seq) }
        #expect(tracker.resolve("200") == false)
        #expect(tracker.checkpoint == nil)
        #expect(tracker.resolve("100") == true)
        #expect(tracker.checkpoint == "200")
        #expect(tracker.outstanding == 1)
        tracker.resolve("300")
        #expect(tracker.checkpoint == "300")
        #expect(tracker.outstanding == 0)
    }

    @Test func unknownSequenceIsIgnored() {
        var tracker = CheckpointTracker(checkpoint: "50")
        tracker.track("100")
        #expect(tracker.resolve("999") == false)
        #expect(tracker.checkpoint == "50")
    }

    @Test func survivesCompactionOverManyRecords() {
        var tracker = CheckpointTracker()
        for i in 1...5000 { tracker.track(String(i)) }
        for i in 1...4999 { tracker.resolve(String(i)) }
        #expect(tracker.checkpoint == "4999")
        #expect(tracker.outstanding == 1)
        tracker.resolve("5000")
        #expect(tracker.checkpoint == "5000")
    }

    /// A record read twice while an earlier record is still unresolved (the hanging-tenant case):
    /// each copy's resolution must count, or the checkpoint never passes that record again.
    @Test func aRecordTrackedTwiceIsResolvedOncePerCopy() {
        var tracker = CheckpointTracker()
        for seq in ["100", "200", "300", "300", "400"] { tracker.track(seq) }
        tracker.resolve("300")
        tracker.resolve("300")
        tracker.resolve("400")
        tracker.resolve("200")
        #expect(tracker.checkpoint == nil, "100 is still unresolved")
        let moved = tracker.resolve("100")
        #expect(moved)
        #expect(tracker.checkpoint == "400")
        #expect(tracker.outstanding == 0)
    }

    @Test func sequenceNumbersCompareNumerically() {
        #expect(sequenceNumberPrecedes("99", "100"))
        #expect(!sequenceNumberPrecedes("100", "99"))
        #expect(sequenceNumberPrecedes("000000000000000000000000000000000000000099", "100"))
        #expect(sequenceNumberPrecedes("4900000000000000000000000001", "4900000000000000000000000002"))
    }

    @Test func positionsResolveInPlaceAcrossCompactionsAndAWrongOneFallsBackToTheSearch() {
        var tracker = CheckpointTracker()
        let name = { (n: Int) in String(format: "%05d", n) }
        let positions = (1...3000).map { tracker.track(name($0)) }
        for n in 1...2000 { tracker.resolve(name(n), at: positions[n - 1]) }  // compacts past 1,500
        #expect(tracker.checkpoint == name(2000) && tracker.outstanding == 1000)
        // A position that holds another record (a replaced tracker's) is not trusted.
        #expect(tracker.resolve(name(2001), at: positions[2500]) == true)
        #expect(tracker.checkpoint == name(2001))
        for n in 2002...3000 { tracker.resolve(name(n), at: positions[n - 1]) }
        #expect(tracker.checkpoint == name(3000) && tracker.outstanding == 0)
    }
}
