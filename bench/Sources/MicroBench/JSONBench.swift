// pismo-microbench json [--docs N] [--seconds S] [--only CASE-PREFIX] [--check]: parse and parse+re-encode of the event corpus
// and of a ~1 MB DynamoDB Query response, PismoJSON vs Foundation (JSONSerialization and
// JSONDecoder/JSONEncoder) on the same bytes. Build with -c release for meaningful numbers.
import Foundation
import PismoJSON

func runJSONBench(_ args: [String]) throws {
    if args.contains("--check") { return try checkEventCorpus() }
    let docCount = intOption(args, "--docs") ?? 10_000
    let seconds = Double(intOption(args, "--seconds") ?? 2)
    let events = makeEventCorpus(count: docCount, seed: 42, invalidFraction: 0)
    let query = [makeDynamoQueryResponse()]
    let eventBytes = events.reduce(0) { $0 + $1.count }
    print("json: \(events.count) events, \(eventBytes / events.count) bytes avg; query response \(query[0].count) bytes; \(seconds) s per case")

    for (title, corpus) in [("events", events), ("dynamo-query", query)] {
        let datas = corpus.map { Data($0) }
        let isEvents = title == "events"
        let cases: [(String, () -> Int)] = [
            ("pismo parse", { pismoParse(corpus) }),
            ("pismo parse+encode", { pismoParseEncode(corpus) }),
            ("JSONSerialization parse", { foundationParse(datas) }),
            ("JSONSerialization parse+encode", { foundationParseEncode(datas) }),
            ("JSONDecoder decode", { isEvents ? codable(datas, BenchEvent.self, encode: false) : codable(datas, BenchQueryResponse.self, encode: false) }),
            ("JSONDecoder+JSONEncoder", { isEvents ? codable(datas, BenchEvent.self, encode: true) : codable(datas, BenchQueryResponse.self, encode: true) }),
        ]
        var rates: [String: Double] = [:]
        let bytes = corpus.reduce(0) { $0 + $1.count }
        let only = args.firstIndex(of: "--only").map { args[$0 + 1] }
        for (name, body) in cases where only.map({ name.hasPrefix($0) }) ?? true {
            let perPass = measure(seconds: seconds, body)
            rates[name] = 1 / perPass
            let mbps = Double(bytes) / perPass / 1_000_000
            let docs = Double(corpus.count) / perPass
            print(pad(title, 14) + pad(name, 32) + String(format: "%9.1f MB/s %12.0f docs/s", mbps, docs))
        }
        for (ours, theirs) in [("pismo parse", "JSONSerialization parse"), ("pismo parse", "JSONDecoder decode"),
                               ("pismo parse+encode", "JSONSerialization parse+encode"),
                               ("pismo parse+encode", "JSONDecoder+JSONEncoder")] {
            guard let a = rates[ours], let b = rates[theirs] else { continue }
            print(pad(title, 14) + "ratio \(ours) / \(theirs) = " + String(format: "%.1fx", a / b))
        }
    }
}

private func pad(_ s: String, _ width: Int) -> String {
    "  " + s + String(repeating: " ", count: max(1, width - s.count))
}

private func intOption(_ args: [String], _ name: String) -> Int? {
    guard let k = args.firstIndex(of: name), k + 1 < args.count else { return nil }
    return Int(args[k + 1])
}

/// Seconds per pass over the corpus: warm up once, then repeat for about `seconds`.
private func measure(seconds: Double, _ body: () -> Int) -> Double {
    var sink = body()
    var passes = 0
    let start = DispatchTime.now().uptimeNanoseconds
    var elapsed = 0.0
    while elapsed < seconds || passes < 3 {
        sink &+= body()
        passes += 1
        elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    if sink == 42 { print("") }  // keeps the optimizer from discarding the work
    return elapsed / Double(passes)
}

private func pismoParse(_ corpus: [[UInt8]]) -> Int {
    var total = 0
    for bytes in corpus {
        guard let doc = try? JSONDocument(bytes: bytes) else { continue }
        total &+= doc.root.count
    }
    return total
}

private func pismoParseEncode(_ corpus: [[UInt8]]) -> Int {
    var total = 0
    for bytes in corpus {
        guard let doc = try? JSONDocument(bytes: bytes) else { continue }
        var writer = JSONWriter(capacity: bytes.count)
        writer.encode(doc.root)
        total &+= writer.bytes.count
    }
    return total
}

private func foundationParse(_ datas: [Data]) -> Int {
    var total = 0
    for data in datas {
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] { total &+= object.count }
    }
    return total
}

private func foundationParseEncode(_ datas: [Data]) -> Int {
    var total = 0
    for data in datas {
        guard let object = try? JSONSerialization.jsonObject(with: data),
              let out = try? JSONSerialization.data(withJSONObject: object) else { continue }
        total &+= out.count
    }
    return total
}

private func codable<T: Codable>(_ datas: [Data], _ type: T.Type, encode: Bool) -> Int {
    let decoder = JSONDecoder()
    let encoder = JSONEncoder()
    var total = 0
    for data in datas {
        guard let value = try? decoder.decode(type, from: data) else { continue }
        total &+= 1
        if encode, let out = try? encoder.encode(value) { total &+= out.count }
    }
    return total
}

/// `pismo-microbench json --check`: sanity of the generated corpus (sizes, that valid events and
/// every non-broken defect parse with both parsers, that broken JSON is rejected by both).
private func checkEventCorpus() throws {
    let corpus = makeLabeledEventCorpus(count: 20_000, seed: 42, invalidFraction: 0.1)
    var problems = 0
    var defects: [String: Int] = [:]
    for event in corpus {
        defects[event.defect?.rawValue ?? "valid", default: 0] += 1
        let ours = (try? JSONDocument(bytes: event.bytes)) != nil
        let theirs = (try? JSONSerialization.jsonObject(with: Data(event.bytes))) != nil
        let shouldParse = event.defect != .brokenJSON
        let sizeOK = event.defect == .extraLarge ? event.bytes.count > 65_536 : (250...1_600).contains(event.bytes.count)
        // Foundation is lenient about some broken input (it accepts trailing commas), so it is only
        // required to accept what should parse.
        if ours != shouldParse || (shouldParse && !theirs) || !sizeOK {
            problems += 1
            if problems < 5 { print("problem: \(event.defect?.rawValue ?? "valid") ours=\(ours) foundation=\(theirs) size=\(event.bytes.count): \(String(decoding: event.bytes.prefix(200), as: UTF8.self))") }
        }
    }
    let sizes = corpus.filter { $0.defect != .extraLarge }.map(\.bytes.count)
    print("corpus: \(defects.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    print("sizes: min \(sizes.min()!) max \(sizes.max()!) avg \(sizes.reduce(0, +) / sizes.count)")
    let query = makeDynamoQueryResponse()
    let doc = try JSONDocument(bytes: query)
    print("query: \(query.count) bytes, \(doc.root["Items"]?.count ?? -1) items, foundation ok: \((try? JSONDecoder().decode(BenchQueryResponse.self, from: Data(query))) != nil)")
    print("corpus check: \(problems == 0 ? 1 : 0) passed, \(problems == 0 ? 0 : 1) failed")
    if problems != 0 { exit(1) }
}
