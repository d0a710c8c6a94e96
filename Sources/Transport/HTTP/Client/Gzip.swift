import CHTTP

/// gzip through zlib (windowBits 31 = gzip wrapper), whole buffers at a time.
public enum Gzip {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Decompresses a gzip stream, refusing output over `limit` bytes (a zip bomb is a response
    /// too large like any other).
    public static func decompress(_ input: [UInt8], limit: Int = Int.max) throws -> [UInt8] {
        var stream = z_stream()
        guard chttp_inflate_init2(&stream, 31) == Z_OK else { throw Failure(description: "inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: max(1024, min(input.count * 4, limit)))
        var produced = 0
        var status = Z_OK
        try input.withUnsafeBytes { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(source.count)
            while status != Z_STREAM_END {
                if produced == output.count {
                    guard output.count < limit else { throw Failure(description: "decompressed body over \(limit) bytes") }
                    output += [UInt8](repeating: 0, count: min(output.count, limit - output.count))
                }
                status = output.withUnsafeMutableBytes { dest in
                    stream.next_out = dest.bindMemory(to: Bytef.self).baseAddress! + produced
                    stream.avail_out = uInt(dest.count - produced)
                    let result = inflate(&stream, Z_NO_FLUSH)
                    produced = dest.count - Int(stream.avail_out)
                    return result
                }
                if status == Z_BUF_ERROR && stream.avail_in == 0 { throw Failure(description: "truncated gzip data") }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw Failure(description: "invalid gzip data (zlib \(status))")
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    public static func compress(_ input: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        guard chttp_deflate_init2(&stream, level, 31) == Z_OK else { throw Failure(description: "deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let status = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { dest in
                stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = dest.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(dest.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(description: "deflate failed (zlib \(status))") }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }
}
