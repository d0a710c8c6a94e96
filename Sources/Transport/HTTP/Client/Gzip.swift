import CSystemShims

/// gzip via zlib, whole-buffer (bodies are bounded by the client/server size caps).
public enum Gzip {
    /// Inflates gzip (or zlib) data; nil when it is corrupt or would exceed `limit` bytes.
    public static func decompress(_ input: [UInt8], limit: Int = Int.max) -> [UInt8]? {
        var stream = z_stream()
        guard chttp_inflate_init2(&stream, 15 + 32) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, input.count * 4))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let ok = input.withUnsafeBytes { (src) -> Bool in
            stream.next_in = UnsafeMutablePointer(mutating: src.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(src.count)
            while true {
                let rc = chunk.withUnsafeMutableBytes { dst -> Int32 in
                    stream.next_out = dst.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(dst.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                if output.count + produced > limit { return false }
                output.append(contentsOf: chunk[0..<produced])
                if rc == Z_STREAM_END { return true }
                if rc != Z_OK || (produced == 0 && stream.avail_in == 0) { return false }
            }
        }
        return ok ? output : nil
    }

    /// Deflates `input` into a gzip member.
    public static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        guard chttp_deflate_init2(&stream, level, 15 + 16) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: src.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(dst.count)
                return deflate(&stream, Z_FINISH) == Z_STREAM_END ? dst.count - Int(stream.avail_out) : -1
            }
        }
        precondition(written >= 0, "deflate into a deflateBound-sized buffer cannot fail")
        output.removeSubrange(written...)
        return output
    }
}
