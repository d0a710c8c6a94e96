// Event corpus for `pismo-microbench validation` until the shared Corpus.swift generator is
// available: deterministic (seeded) envelopes of the two shipped types plus an unknown type,
// with a given fraction made invalid in assorted ways (bad client_id, bad date, missing field,
// wrong data types, cents violations).
import Foundation
import Pismo

func makeValidationCorpus(count: Int, seed: UInt64, invalidFraction: Double) -> [[UInt8]] {
    var rng = SplitMix64(state: seed)
    var out: [[UInt8]] = []
    out.reserveCapacity(count)
    for i in 0..<count {
        let invalid = Double.random(in: 0..<1, using: &rng) < invalidFraction
        out.append(Array(makeEvent(i, invalid: invalid, rng: &rng).utf8))
    }
    return out
}

private func makeEvent(_ i: Int, invalid: Bool, rng: inout SplitMix64) -> String {
    let kind = Int.random(in: 0..<10, using: &rng)
    let client = "tenant-\(Int.random(in: 1...500, using: &rng))"
    let second = String(format: "%02d", i % 60)
    let time = "2024-05-\(String(format: "%02d", 1 + i % 28))T12:34:\(second).\(100 + i % 900)Z"
    let data: String
    let type: String
    if kind < 6 {
        type = "transaction.authorized"
        let cents = Int.random(in: 1...1_000_000, using: &rng)
        data = #"{"transaction_id":"tx-\#(i)","account_id":"acc-\#(i % 977)","amount":\#(cents / 100).\#(String(format: "%02d", cents % 100)),"currency":"BRL","merchant":{"id":"m-\#(i % 313)","name":"Loja \#(i % 97)","mcc":"5411"},"card_last4":"\#(String(format: "%04d", i % 10000))","installments":\#(1 + i % 12)}"#
    } else if kind < 9 {
        type = "monitoring.alert"
        data = #"{"alert_id":"al-\#(i)","severity":"\#(["info", "warning", "critical"][i % 3])","message":"queue depth above threshold on shard \#(i % 64)","source":"sqs","value":\#(Double(i % 1000) / 10),"threshold":50.5,"tags":["prod","sa-east-1","shard-\#(i % 64)"]}"#
    } else {
        type = "custom.note"
        data = #"{"text":"note \#(i)","n":\#(i)}"#
    }
    var event = #"{"client_id":"\#(client)","event_type":"\#(type)","event_time":"\#(time)","event_id":"ev-\#(i)","producer":"bench","data":\#(data)}"#
    if invalid {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: event = event.replacingOccurrences(of: "\"\(client)\"", with: "\"bad client id\"")
        case 1: event = event.replacingOccurrences(of: "2024-05-", with: "2024-13-")
        case 2: event = event.replacingOccurrences(of: "\"event_time\"", with: "\"time\"")
        case 3: event = event.replacingOccurrences(of: "\"currency\":\"BRL\"", with: "\"currency\":\"brl\"")
            .replacingOccurrences(of: "\"severity\":\"", with: "\"severity\":\"x")
            .replacingOccurrences(of: "\"data\":{\"text\"", with: "\"data\":[{\"text\"")
            .replacingOccurrences(of: "\"n\":\(i)}}", with: "\"n\":\(i)}]}")
        default: event = event.replacingOccurrences(of: "\"transaction_id\":\"tx-\(i)\"", with: "\"transaction_id\":\(i)")
            .replacingOccurrences(of: "\"alert_id\":\"al-\(i)\"", with: "\"alert_id\":\(i)")
            .replacingOccurrences(of: "\"event_type\":\"custom.note\"", with: "\"event_type\":\"\"")
        }
    }
    return event
}
