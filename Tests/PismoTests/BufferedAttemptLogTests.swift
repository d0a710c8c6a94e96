import Testing
@testable import Pismo

/// The attempt log's buffer with a recording writer: the mode filter runs before anything is kept,
/// a full buffer drops and counts without waiting, a failed write drops and warns once, and
/// `close()` writes what is left. No timing: a held write and `close()` order every step.
@Suite(.timeLimit(.minutes(1))) struct BufferedAttemptLogTests {
    static func log(_ writer: RecordingAttemptWriter, mode: AttemptLogMode = .failures, capacity: Int = 100,
                    linger: Duration = .seconds(3600), registry: MetricsRegistry = MetricsRegistry(),
                    logs: CapturedLogs = CapturedLogs()) -> BufferedAttemptLog {
        var options = BufferedAttemptLog.Options()
        options.capacity = capacity
        options.linger = linger
        options.warningInterval = .seconds(3600)
        return BufferedAttemptLog(mode: mode, writer: writer, registry: registry, options: options, logger: logs.logger)
    }

    @Test func failuresModeKeepsNothingOfAFirstAttemptThatDelivered() async {
        let writer = RecordingAttemptWriter()
        let log = Self.log(writer)
        for i in 0..<50 { await log.record(.sample("ok-\(i)", delivered: true)) }
        await log.record(.sample("bad", attempt: 1))
        await log.record(.sample("bad", attempt: 2, delivered: true))
        await log.close()
        #expect(writer.written.map { "\($0.eventID)/\($0.attempt)" } == ["bad/1", "bad/2"])
    }

    @Test func offAndAllModes() async {
        let off = RecordingAttemptWriter(), all = RecordingAttemptWriter()
        let offLog = Self.log(off, mode: .off), allLog = Self.log(all, mode: .all)
        for log in [offLog, allLog] {
            await log.record(.sample("a", delivered: true))
            await log.record(.sample("b"))
            await log.close()
        }
        #expect(off.batches.isEmpty)
        #expect(all.written.map(\.eventID) == ["a", "b"])
    }

    /// Full batches go at once; the partial rest waits for the linger (an hour here) — and `close()`
    /// writes it without waiting for the linger.
    @Test func closeWritesWhatIsBufferedInOrderAndInBatches() async {
        let writer = RecordingAttemptWriter(maxBatch: 25)
        let registry = MetricsRegistry()
        let log = Self.log(writer, registry: registry)
        for i in 0..<60 { await log.record(.sample("e\(i)")) }
        await log.close()
        #expect(writer.written.map(\.eventID) == (0..<60).map { "e\($0)" })
        #expect(writer.batches.allSatisfy { $0.count <= 25 })
        #expect(writer.batches.count == 3)
        #expect(registry.render().contains("pismo_attempt_log_written_total 60\n"))
    }

    /// The writer holds its first batch: the buffer fills to its capacity and every further record
    /// is dropped and counted — and every `record` call returned while the write was still held.
    @Test func aFullBufferDropsAndCountsWithoutWaiting() async {
        let writer = RecordingAttemptWriter(gated: true)
        let registry = MetricsRegistry(), logs = CapturedLogs()
        let log = Self.log(writer, capacity: 10, linger: .zero, registry: registry, logs: logs)
        await log.record(.sample("first"))
        await writer.firstWriteBegan()
        for i in 0..<15 { await log.record(.sample("e\(i)")) }
        #expect(writer.batches.count == 1, "the held write is still the only one")
        #expect(registry.render().contains(#"pismo_attempt_log_dropped_total{reason="overflow"} 5"#))
        #expect(logs.at(.warning).count == 1, "one warning for the burst of drops")
        #expect(logs.at(.warning).first?.metadata["reason"] == "overflow")
        writer.open()
        await log.close()
        #expect(writer.written.map(\.eventID) == ["first"] + (0..<10).map { "e\($0)" })
        #expect(registry.render().contains("pismo_attempt_log_written_total 11\n"))
    }

    @Test func aFailedWriteDropsCountsAndWarnsOnce() async {
        let writer = RecordingAttemptWriter(maxBatch: 1, failing: true)
        let registry = MetricsRegistry(), logs = CapturedLogs()
        let log = Self.log(writer, linger: .zero, registry: registry, logs: logs)
        for i in 0..<3 { await log.record(.sample("e\(i)")) }
        await log.close()
        #expect(registry.render().contains(#"pismo_attempt_log_dropped_total{reason="write-failed"} 3"#))
        #expect(logs.at(.warning).count == 1)
        #expect(logs.at(.warning).first?.metadata["reason"] == "write-failed")
        #expect(!registry.render().contains("pismo_attempt_log_written_total 1"))
    }

    @Test func recordsHandedBackUnprocessedAreCountedAsDropped() async {
        let writer = RecordingAttemptWriter(handsBack: 2)
        let registry = MetricsRegistry()
        let log = Self.log(writer, registry: registry)
        for i in 0..<5 { await log.record(.sample("e\(i)")) }
        await log.close()
        #expect(registry.render().contains(#"pismo_attempt_log_dropped_total{reason="write-failed"} 2"#))
        #expect(registry.render().contains("pismo_attempt_log_written_total 3\n"))
    }

    @Test func afterCloseRecordsAreDroppedAndNothingIsWritten() async {
        let writer = RecordingAttemptWriter()
        let registry = MetricsRegistry()
        let log = Self.log(writer, registry: registry)
        await log.close()
        await log.record(.sample("late"))
        await log.close()
        #expect(writer.batches.isEmpty)
        #expect(registry.render().contains(#"pismo_attempt_log_dropped_total{reason="closed"} 1"#))
    }
}
