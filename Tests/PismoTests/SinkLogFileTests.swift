import Foundation
import Testing
@testable import Pismo

/// `pismo sink --log FILE` appends and never replaces the file it is given: creating it anew
/// (write a temporary file, rename it over the path) once turned `--log /dev/null` into a regular
/// file for the whole machine.
@Suite struct SinkLogFileTests {
    @Test func anExistingFileIsAppendedToInPlace() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pismo-sink-\(UInt32.random(in: 0...UInt32.max)).jsonl").path
        try Data("earlier\n".utf8).write(to: URL(fileURLWithPath: path))
        let inode = try #require(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int)
        _ = try LogFile(path: path)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int == inode, "the same file, not a replacement")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "earlier\n")
    }
}
