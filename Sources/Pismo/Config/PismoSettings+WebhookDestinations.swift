import Transport

extension PismoSettings {
    /// Where webhooks may go: every address class an SSRF could reach inside a network (loopback,
    /// private, link-local with the cloud metadata endpoints, CGNAT, …) is refused unless
    /// `PISMO_WEBHOOK_ALLOW_NETS` lists it; with `PISMO_WEBHOOK_HTTPS_ONLY`, plain http is refused too.
    /// Only the webhook client applies it: AWS endpoints (moto, LocalStack on loopback) never are.
    public var webhookDestinationPolicy: DestinationPolicy {
        DestinationPolicy(allowed: webhookAllowNets, httpsOnly: webhookHTTPSOnly)
    }

    /// `PISMO_WEBHOOK_ALLOW_NETS`: comma-separated CIDRs, IPv4 and IPv6, empty entries ignored. A bad
    /// entry stops the command at start, naming it: a guard that skipped a typo would refuse (or
    /// allow) what the operator did not mean.
    static func parseAllowNets(_ text: String) throws(InvalidValue) -> [IPNetwork] {
        var networks: [IPNetwork] = []
        for entry in text.split(separator: ",") where !entry.allSatisfy({ $0 == " " }) {
            do { networks.append(try IPNetwork(parsing: String(entry))) } catch {
                throw InvalidValue(variable: "PISMO_WEBHOOK_ALLOW_NETS", value: text,
                                   expected: "comma-separated CIDR blocks such as 127.0.0.1/32,10.0.0.0/8,fd00::/8; \(error)")
            }
        }
        return networks
    }
}
