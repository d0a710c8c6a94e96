// pismo-conformance SUITE PATH: runs an official conformance suite and prints
// "conformance: N passed, M failed" as its last line; exits 1 on any failure.
import Foundation

let suites: [String: ([String]) throws -> Bool] = [
    "sigv4": runSigV4Suite,
]

let args = Array(CommandLine.arguments.dropFirst())
guard let name = args.first, let run = suites[name] else {
    let names = suites.keys.sorted().joined(separator: ", ")
    FileHandle.standardError.write("usage: pismo-conformance SUITE [ARGS...]\n  suites: \(names)\n".data(using: .utf8)!)
    exit(2)
}
exit(try run(Array(args.dropFirst())) ? 0 : 1)
