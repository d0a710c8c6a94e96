import Foundation
import CSystemShims

/// The hashes the AWS wire needs, all from OpenSSL libcrypto / zlib (never hand-rolled), through
/// `chttp_digest.h`: OpenSSL 3's EVP with algorithms fetched once and contexts kept per thread.
/// Stateless and thread-safe: every call works on its own output buffer.
public enum Digests {
    /// SHA-256 of `bytes` (32 bytes).
    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            chttp_sha256(bytes.baseAddress, bytes.count, out.baseAddress)
            count = 32
        }
    }

    public static func sha256<C: ContiguousBytes>(_ bytes: C) -> [UInt8] {
        bytes.withUnsafeBytes { sha256($0) }
    }

    /// HMAC-SHA256 of `message` under `key` (32 bytes).
    public static func hmacSHA256(key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            chttp_hmac_sha256(key.baseAddress, key.count, message.baseAddress, message.count, out.baseAddress)
            count = 32
        }
    }

    public static func hmacSHA256<K: ContiguousBytes, M: ContiguousBytes>(key: K, message: M) -> [UInt8] {
        key.withUnsafeBytes { k in message.withUnsafeBytes { m in hmacSHA256(key: k, message: m) } }
    }

    /// MD5. SQS uses it as a checksum only.
    public static func md5(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 16) { out, count in
            chttp_md5(bytes.baseAddress, bytes.count, out.baseAddress)
            count = 16
        }
    }

    public static func md5<C: ContiguousBytes>(_ bytes: C) -> [UInt8] {
        bytes.withUnsafeBytes { md5($0) }
    }

    /// IEEE CRC-32 (zlib polynomial), as DynamoDB puts in `x-amz-crc32`.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt = 0
        var offset = 0
        // zlib takes a UInt32 length: feed huge bodies in slices.
        while offset < bytes.count {
            let n = min(bytes.count - offset, Int(UInt32.max))
            crc = CSystemShims.crc32(crc, bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self), UInt32(n))
            offset += n
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    public static func crc32<C: ContiguousBytes>(_ bytes: C) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0) }
    }
}

/// Lower-case hex, the only digest spelling AWS uses.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode<C: Collection<UInt8>>(_ bytes: C) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var i = 0
            for byte in bytes {
                out[i] = digits[Int(byte >> 4)]
                out[i + 1] = digits[Int(byte & 0x0F)]
                i += 2
            }
            return i
        }
    }

    /// Appends the hex spelling of `bytes` to `out` (no intermediate String).
    public static func append<C: Collection<UInt8>>(_ bytes: C, to out: inout [UInt8]) {
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
    }
}
