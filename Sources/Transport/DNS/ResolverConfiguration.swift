extension Resolver {
    /// Where a resolver asks and how long it waits, queues and remembers. `system()` reads
    /// /etc/resolv.conf and /etc/hosts; tests build one pointing at a responder on 127.0.0.1
    /// (`Configuration(nameservers: [...])`): that is the resolver's test hook.
    public struct Configuration: Sendable {
        /// Asked in turn, one per try (at most three are read from resolv.conf).
        public var nameservers: [SocketAddress]
        /// Answered before any query (with `localhost`, which is always loopback).
        public var hosts: HostsTable
        /// A lookup answers within this, whatever the servers do: its callers get
        /// `HTTPClientError.dnsTimeout` at the latest then. Counts from the moment it was asked,
        /// time spent waiting in the queue included.
        public var timeout: Duration = .seconds(5)
        /// A try unanswered for this long is sent again (new ID, new port) to the next nameserver.
        /// Once one family (A or AAAA) has addresses, the other gets at most this long too.
        public var retryInterval: Duration = .seconds(1)
        /// Names being asked at once; more wait in the queue.
        public var maxConcurrentLookups = 32
        /// Names waiting for a turn; beyond this, `resolve` fails at once with `dnsOverloaded`.
        public var maxQueuedLookups = 128
        /// Callers waiting on one name (each new connection to a host is one).
        public var maxWaitersPerLookup = 1024
        /// Names remembered (answers and failures together), least recently used forgotten first.
        public var cacheCapacity = 1024
        /// Record lifetimes are honoured within these bounds: a TTL of 0 would mean a query per
        /// connection; days would outlive a failover.
        public var minimumTTL: Duration = .seconds(5)
        public var maximumTTL: Duration = .seconds(300)
        /// A name that does not exist (or has no address): its SOA's negative TTL within these
        /// bounds, `negativeTTL` when the answer carries no SOA.
        public var negativeTTL: Duration = .seconds(10)
        public var maximumNegativeTTL: Duration = .seconds(60)
        /// A lookup that timed out or that every server failed is remembered this long, so a
        /// tenant whose DNS hangs costs one lookup per period, not one per event.
        public var failureTTL: Duration = .seconds(10)
        /// An answer whose TTL ran out is still used, for `failureTTL`, when asking again fails,
        /// up to this long past its expiry (RFC 8767 "serve stale"): a DNS outage does not become
        /// an AWS outage.
        public var maximumStaleness: Duration = .seconds(3600)
        /// The clock cache lifetimes are measured on (monotonic nanoseconds); tests move it by hand
        /// so that TTL rules are checked without sleeping. Lookup deadlines always use real time.
        var cacheClock: @Sendable () -> UInt64 = { monotonicNanos() }

        public init(nameservers: [SocketAddress], hosts: HostsTable = HostsTable()) {
            self.nameservers = nameservers
            self.hosts = hosts
        }

        /// The machine's resolver files: nameservers from resolv.conf, names from hosts.
        public static func system(resolvConf: String = "/etc/resolv.conf", hostsFile: String = "/etc/hosts") -> Configuration {
            Configuration(nameservers: ResolvConf.nameservers(text: ResolvConf.read(resolvConf)),
                          hosts: HostsTable(text: ResolvConf.read(hostsFile)))
        }
    }
}
