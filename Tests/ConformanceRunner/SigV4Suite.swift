// pismo-conformance sigv4 DIR: runs every case of the AWS SigV4 test suite in both published layouts
// under DIR (botocore-aws4_testsuite: .req/.creq/.sts/.authz; aws-c-auth-v4: context.json + header-
// and query-signing expectations) and compares canonical request, string to sign and signature.
import Foundation
import Pismo
import Transport

func runSigV4Suite(_ args: [String]) throws -> Bool {
    let root = args.first ?? "../shared/conformance/sigv4"
    var tally = SigV4Tally()
    let fm = FileManager.default
    let classic = root + "/botocore-aws4_testsuite"
    if fm.fileExists(atPath: classic) {
        for dir in SigV4CaseFiles.caseDirectories(under: classic, marker: ".req") {
            tally.record(name: "botocore/" + dir.dropFirst(classic.count + 1), failures: try runClassicCase(dir))
        }
    }
    let modern = root + "/aws-c-auth-v4"
    if fm.fileExists(atPath: modern) {
        for dir in SigV4CaseFiles.caseDirectories(under: modern, marker: "context.json") {
            let name = "aws-c-auth/" + dir.dropFirst(modern.count + 1)
            let (header, query) = try runModernCase(dir)
            tally.record(name: name + " [header]", failures: header)
            tally.record(name: name + " [query]", failures: query)
        }
    }
    print("sigv4: \(tally.passed) passed, \(tally.failed) failed")
    return tally.failed == 0 && tally.passed > 0
}

struct SigV4Tally {
    var passed = 0
    var failed = 0

    mutating func record(name: String, failures: [String]) {
        if failures.isEmpty {
            passed += 1
        } else {
            failed += 1
            print("FAIL \(name)")
            for failure in failures { print("  " + failure.replacingOccurrences(of: "\n", with: "\n  ")) }
        }
    }
}

private let suiteCredentials = (akid: "AKIDEXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

/// Classic layout: every header in the .req is signed, the date comes from its X-Amz-Date.
private func runClassicCase(_ dir: String) throws -> [String] {
    let name = (dir as NSString).lastPathComponent
    let base = dir + "/" + name
    let raw = try SigV4CaseFiles.read(base + ".req")
    let parsed = try SigV4RawRequest(raw)
    // A token the .req lacks is an input the suite only shows in its signed request (.sreq); whether
    // it was signed or appended afterwards is told by that request's SignedHeaders.
    var token: String?
    var options = SigV4Signer.Options()
    if parsed.headers.first(where: { $0.name.lowercased() == "x-amz-security-token" }) == nil,
       let sreq = try? SigV4RawRequest(SigV4CaseFiles.read(base + ".sreq")) {
        token = sreq.headers.first(where: { $0.name.lowercased() == "x-amz-security-token" })?.value
        let authz = sreq.headers.first(where: { $0.name.lowercased() == "authorization" })?.value ?? ""
        options.signSessionToken = authz.contains("x-amz-security-token")
    }
    let dateHeader = parsed.headers.first(where: { $0.name.lowercased() == "x-amz-date" })?.value ?? ""
    guard let time = AWSTimestamp(parsing: dateHeader) else { return ["no X-Amz-Date in \(base).req"] }
    let credentials = AWSCredentials(accessKeyID: suiteCredentials.akid, secretAccessKey: suiteCredentials.secret, sessionToken: token)
    let signer = SigV4Signer(service: "service", region: "us-east-1", options: options)
    var request = parsed.httpRequest
    let result = signer.sign(&request, credentials: credentials, time: time)
    return SigV4CaseFiles.compare([
        ("canonical request", result.canonicalRequest, try SigV4CaseFiles.read(base + ".creq")),
        ("string to sign", result.stringToSign, try SigV4CaseFiles.read(base + ".sts")),
        ("authorization", result.authorization, try SigV4CaseFiles.read(base + ".authz")),
    ])
}

/// Newer layout: context.json drives path normalisation, body signing, the token and the time.
private func runModernCase(_ dir: String) throws -> (header: [String], query: [String]) {
    let contextData = try Data(contentsOf: URL(fileURLWithPath: dir + "/context.json"))
    guard let context = try JSONSerialization.jsonObject(with: contextData) as? [String: Any],
          let creds = context["credentials"] as? [String: Any],
          let time = AWSTimestamp(parsing: context["timestamp"] as? String ?? "") else {
        return (["unreadable context.json"], ["unreadable context.json"])
    }
    var options = SigV4Signer.Options()
    options.normalizePath = context["normalize"] as? Bool ?? true
    options.addContentSHA256Header = context["sign_body"] as? Bool ?? false
    options.signSessionToken = !(context["omit_session_token"] as? Bool ?? false)
    let credentials = AWSCredentials(accessKeyID: creds["access_key_id"] as? String ?? "",
                                     secretAccessKey: creds["secret_access_key"] as? String ?? "",
                                     sessionToken: creds["token"] as? String)
    let signer = SigV4Signer(service: context["service"] as? String ?? "", region: context["region"] as? String ?? "",
                             options: options)
    let parsed = try SigV4RawRequest(try SigV4CaseFiles.read(dir + "/request.txt"))

    var request = parsed.httpRequest
    let header = signer.sign(&request, credentials: credentials, time: time)
    let signedRequest = try SigV4RawRequest(try SigV4CaseFiles.read(dir + "/header-signed-request.txt"))
    let expectedAuthz = signedRequest.headers.first(where: { $0.name.lowercased() == "authorization" })?.value ?? "(none)"
    let headerFailures = SigV4CaseFiles.compare([
        ("canonical request", header.canonicalRequest, try SigV4CaseFiles.read(dir + "/header-canonical-request.txt")),
        ("string to sign", header.stringToSign, try SigV4CaseFiles.read(dir + "/header-string-to-sign.txt")),
        ("signature", header.signature, try SigV4CaseFiles.read(dir + "/header-signature.txt")),
        ("authorization", header.authorization, expectedAuthz),
    ])

    let expires = context["expiration_in_seconds"] as? Int ?? 3600
    let query = signer.presignature(method: parsed.method, path: parsed.path, query: parsed.query,
                                    headers: parsed.headers, payloadHash: Hex.encode(Digests.sha256(parsed.body)),
                                    credentials: credentials, time: time, expiresSeconds: expires)
    let queryFailures = SigV4CaseFiles.compare([
        ("canonical request", query.canonicalRequest, try SigV4CaseFiles.read(dir + "/query-canonical-request.txt")),
        ("string to sign", query.stringToSign, try SigV4CaseFiles.read(dir + "/query-string-to-sign.txt")),
        ("signature", query.signature, try SigV4CaseFiles.read(dir + "/query-signature.txt")),
    ])
    return (headerFailures, queryFailures)
}
