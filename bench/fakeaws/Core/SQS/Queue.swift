import PismoJSON

/// One standard queue: visible messages in arrival order, in-flight and delayed ones on a heap until
/// they are due. Receipt handles name (message, generation): only the latest receive's handle acts.
final class Queue {
    let name: String
    let arn: String
    let createdAtMillis: Int64
    var attributes: [String: String]
    var messages: [UInt64: Message] = [:]
    private var visible: [UInt64] = []
    private var visibleHead = 0
    private var timed = TimedHeap()
    private var nextSequence: UInt64 = 0

    static let defaults: [String: String] = [
        "VisibilityTimeout": "30", "MessageRetentionPeriod": "345600", "DelaySeconds": "0",
        "MaximumMessageSize": "262144", "ReceiveMessageWaitTimeSeconds": "0",
    ]

    init(name: String, arn: String, attributes: [String: String], nowMillis: Int64) {
        self.name = name
        self.arn = arn
        self.attributes = Self.defaults.merging(attributes) { $1 }
        createdAtMillis = nowMillis
    }

    var visibilityTimeout: Int { Int(attributes["VisibilityTimeout"] ?? "30") ?? 30 }

    /// (deadLetterTargetArn, maxReceiveCount) from RedrivePolicy.
    var redrive: (arn: String, maxReceiveCount: Int)? {
        guard let policy = attributes["RedrivePolicy"], let doc = try? PolicyJSON.parse(policy),
              let target = doc.arn, let max = doc.maxReceiveCount else { return nil }
        return (target, max)
    }

    func add(_ message: Message, delaySeconds: Int, now: Int64) {
        nextSequence += 1
        var m = message
        if delaySeconds > 0 {
            m.invisibleUntil = now + Int64(delaySeconds) * 1000
            timed.push(.init(at: m.invisibleUntil, sequence: nextSequence, generation: m.generation))
        } else {
            visible.append(nextSequence)
        }
        messages[nextSequence] = m
    }

    /// Moves every due message from the heap to the visible list.
    private func promote(now: Int64) {
        while let top = timed.first, top.at <= now {
            _ = timed.pop()
            guard var m = messages[top.sequence], m.generation == top.generation, m.invisibleUntil != 0 else { continue }
            m.invisibleUntil = 0
            messages[top.sequence] = m
            visible.append(top.sequence)
        }
    }

    /// Takes up to `max` visible messages, hiding each for `visibility` seconds. Messages over the
    /// redrive policy's receive count are handed to `deadLetter` instead, as SQS moves them.
    func receive(max: Int, visibility: Int, now: Int64, wallMillis: Int64, deadLetter: (Message) -> Bool) -> [(UInt64, Message)] {
        promote(now: now)
        let redrive = self.redrive
        var out: [(UInt64, Message)] = []
        var visibleAgain: [UInt64] = []  // visibility 0: visible again after this call, never twice in it
        while out.count < max, visibleHead < visible.count {
            let seq = visible[visibleHead]
            visibleHead += 1
            guard var m = messages[seq], m.invisibleUntil == 0 else { continue }
            if let redrive, m.receiveCount >= redrive.maxReceiveCount, deadLetter(m) {
                messages[seq] = nil
                continue
            }
            m.receiveCount += 1
            if m.firstReceiveAtMillis == nil { m.firstReceiveAtMillis = wallMillis }
            m.generation &+= 1
            m.invisibleUntil = now + Int64(visibility) * 1000
            if visibility == 0 { m.invisibleUntil = 0; visibleAgain.append(seq) } else {
                timed.push(.init(at: m.invisibleUntil, sequence: seq, generation: m.generation))
            }
            messages[seq] = m
            out.append((seq, m))
        }
        visible += visibleAgain
        compactVisible()
        return out
    }

    /// When the next hidden message is due (a long poll sleeps no longer than that).
    var nextDue: Int64? { timed.first?.at }

    func hasVisible(now: Int64) -> Bool {
        promote(now: now)
        return visible[visibleHead...].contains { messages[$0]?.invisibleUntil == 0 }
    }

    enum HandleError: Error { case invalid, notInFlight }

    static func handle(_ seq: UInt64, _ generation: UInt32) -> String { "fakeaws-\(seq)-\(generation)" }

    static func parseHandle(_ text: String) -> (UInt64, UInt32)? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0] == "fakeaws", let s = UInt64(parts[1]), let g = UInt32(parts[2]) else { return nil }
        return (s, g)
    }

    /// SQS: an outdated handle "succeeds" without deleting; a message already gone is fine too.
    func delete(handle: String) throws(HandleError) {
        guard let (seq, generation) = Self.parseHandle(handle) else { throw .invalid }
        guard let m = messages[seq], m.generation == generation else { return }
        messages[seq] = nil
    }

    func changeVisibility(handle: String, seconds: Int, now: Int64) throws(HandleError) {
        guard let (seq, generation) = Self.parseHandle(handle) else { throw .invalid }
        guard var m = messages[seq], m.generation == generation, m.invisibleUntil != 0 else { throw .notInFlight }
        m.generation &+= 1
        if seconds == 0 {
            m.invisibleUntil = 0
            visible.append(seq)
        } else {
            m.invisibleUntil = now + Int64(seconds) * 1000
            timed.push(.init(at: m.invisibleUntil, sequence: seq, generation: m.generation))
        }
        messages[seq] = m
    }

    func purge() {
        messages = [:]
        visible = []
        visibleHead = 0
        timed = TimedHeap()
    }

    /// (visible, in flight, delayed) for GetQueueAttributes and /_fake/stats.
    func counts(now: Int64) -> (visible: Int, notVisible: Int, delayed: Int) {
        promote(now: now)
        var v = 0, n = 0, d = 0
        for m in messages.values {
            if m.invisibleUntil == 0 { v += 1 } else if m.receiveCount == 0 { d += 1 } else { n += 1 }
        }
        return (v, n, d)
    }

    private func compactVisible() {
        if visibleHead > 4096 && visibleHead * 2 > visible.count {
            visible.removeFirst(visibleHead)
            visibleHead = 0
        }
    }
}

/// The two fields of a RedrivePolicy (its count arrives as a string or a number).
enum PolicyJSON {
    struct Policy { var arn: String?; var maxReceiveCount: Int? }
    static func parse(_ text: String) throws -> Policy {
        let doc = try JSONDocument(text)
        let count = doc.root["maxReceiveCount"]
        return Policy(arn: doc.root["deadLetterTargetArn"]?.string,
                      maxReceiveCount: count?.int ?? count?.string.flatMap { Int($0) })
    }
}
