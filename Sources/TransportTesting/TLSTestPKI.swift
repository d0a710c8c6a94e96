import CSystemShims
import Glibc
import Transport

/// A throwaway PKI for tests, benchmarks and local runs, minted with OpenSSL's API into a fresh
/// temp directory: a CA, a server certificate it signs (localhost, 127.0.0.1, ::1; valid one day),
/// a CA-signed certificate for "other.example" only, and an unrelated self-signed "localhost" one. Keys are new P-256 keys every time, so no
/// key material is ever committed. `remove()` deletes the directory. Never use it in production.
public struct TLSTestPKI: Sendable {
    public let directory: String
    public var caFile: String { directory + "/ca.pem" }
    public var serverCertificateFile: String { directory + "/server.pem" }
    public var serverKeyFile: String { directory + "/server.key" }
    public var selfSignedCertificateFile: String { directory + "/self-signed.pem" }
    public var selfSignedKeyFile: String { directory + "/self-signed.key" }
    /// Signed by the CA but issued for "other.example" only: trusted, yet wrong for localhost.
    public var otherHostCertificateFile: String { directory + "/other-host.pem" }
    public var otherHostKeyFile: String { directory + "/other-host.key" }

    /// A client configuration trusting only this PKI's CA.
    public var clientConfiguration: TLSClientConfiguration {
        TLSClientConfiguration(useSystemTrustStore: false, additionalTrustedCAFile: caFile)
    }

    /// A server configuration presenting the CA-signed localhost certificate.
    public var serverConfiguration: TLSServerConfiguration {
        TLSServerConfiguration(certificateChainFile: serverCertificateFile, privateKeyFile: serverKeyFile)
    }

    public init() throws {
        let temporary = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((temporary + "/pismo-tls-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TLSError(.configuration, "mkdtemp failed") }
        directory = String(cString: made)

        let caKey = try Self.newKey()
        defer { EVP_PKEY_free(caKey) }
        let ca = try Self.certificate(
            subject: "Pismo Test CA", key: caKey, issuer: nil, issuerKey: caKey,
            extensions: [
                (NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign"),
                (NID_subject_key_identifier, "hash"),
            ])
        defer { X509_free(ca) }
        try Self.write(certificate: ca, to: caFile)

        let localhost = "DNS:localhost,IP:127.0.0.1,IP:::1"
        try Self.writeLeaf(subject: "localhost", names: localhost, issuer: (ca, caKey),
                           certificateFile: serverCertificateFile, keyFile: serverKeyFile)
        try Self.writeLeaf(subject: "other.example", names: "DNS:other.example", issuer: (ca, caKey),
                           certificateFile: otherHostCertificateFile, keyFile: otherHostKeyFile)
        try Self.writeLeaf(subject: "localhost", names: localhost, issuer: nil,
                           certificateFile: selfSignedCertificateFile, keyFile: selfSignedKeyFile)
    }

    /// A fresh key and a leaf certificate for `names`, written to the two files; signed by
    /// `issuer`, or self-signed when it is nil.
    private static func writeLeaf(subject: String, names: String, issuer: (certificate: OpaquePointer, key: OpaquePointer)?,
                                  certificateFile: String, keyFile: String) throws {
        let key = try newKey()
        defer { EVP_PKEY_free(key) }
        var extensions = leafExtensions(names: names)
        if issuer != nil { extensions.append((NID_authority_key_identifier, "keyid:always")) }
        let leaf = try certificate(subject: subject, key: key, issuer: issuer?.certificate, issuerKey: issuer?.key ?? key,
                                   extensions: extensions)
        defer { X509_free(leaf) }
        try write(certificate: leaf, to: certificateFile)
        try write(key: key, to: keyFile)
    }

    public func remove() {
        for file in [
            caFile, serverCertificateFile, serverKeyFile, selfSignedCertificateFile, selfSignedKeyFile,
            otherHostCertificateFile, otherHostKeyFile,
        ] {
            unlink(file)
        }
        rmdir(directory)
    }

    private static func leafExtensions(names: String) -> [(Int32, String)] {
        [
            (NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, "critical,digitalSignature"),
            (NID_ext_key_usage, "serverAuth"), (NID_subject_alt_name, names), (NID_subject_key_identifier, "hash"),
        ]
    }

    private static func newKey() throws -> OpaquePointer {
        guard let key = chttp_tls_ec_key_generate("P-256") else { throw TLSError(.configuration, "EC key generation failed") }
        return key
    }

    /// `issuer` nil means self-signed (the certificate is its own issuer).
    private static func certificate(
        subject: String, key: OpaquePointer, issuer: OpaquePointer?, issuerKey: OpaquePointer,
        extensions: [(Int32, String)]
    ) throws -> OpaquePointer {
        guard let cert = X509_new() else { throw TLSError(.configuration, "X509_new failed") }
        X509_set_version(cert, 2)  // v3
        ASN1_INTEGER_set(X509_get_serialNumber(cert), Int.random(in: 1..<Int(Int32.max)))
        X509_gmtime_adj(X509_getm_notBefore(cert), -3600)
        X509_gmtime_adj(X509_getm_notAfter(cert), 86400)
        X509_set_pubkey(cert, key)
        let name = X509_get_subject_name(cert)
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, subject, -1, -1, 0)
        X509_set_issuer_name(cert, issuer.map { X509_get_subject_name($0) } ?? name)

        var v3 = X509V3_CTX()
        X509V3_set_ctx(&v3, issuer ?? cert, cert, nil, nil, 0)
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &v3, nid, value) else {
                X509_free(cert)
                throw TLSError(.configuration, "extension \(nid)=\(value) rejected")
            }
            X509_add_ext(cert, ext, -1)
            X509_EXTENSION_free(ext)
        }
        guard X509_sign(cert, issuerKey, EVP_sha256()) > 0 else {
            X509_free(cert)
            throw TLSError(.configuration, "X509_sign failed")
        }
        return cert
    }

    private static func write(certificate: OpaquePointer, to path: String) throws {
        guard let bio = BIO_new_file(path, "w") else { throw TLSError(.configuration, "cannot open \(path)") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_X509(bio, certificate) == 1 else { throw TLSError(.configuration, "cannot write \(path)") }
    }

    private static func write(key: OpaquePointer, to path: String) throws {
        guard let bio = BIO_new_file(path, "w") else { throw TLSError(.configuration, "cannot open \(path)") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1 else {
            throw TLSError(.configuration, "cannot write \(path)")
        }
    }
}
