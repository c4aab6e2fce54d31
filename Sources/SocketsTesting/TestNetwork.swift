// A real network inside the machine: two network namespaces joined by a veth pair, with IPv4
// and IPv6 addresses from the test ranges only, no default route, and impairments made with
// nftables and tc. Needs root (CAP_NET_ADMIN); everything it makes is removed when it ends.

import CShims
import Foundation
import Sockets

/// Two test hosts, a client and a server, each in its own network namespace, joined by one
/// veth link: `198.18.0.1`/`fd00:5e::1` (client) and `198.18.0.2`/`fd00:5e::2` (server). Neither
/// namespace has a default route, and the setup checks that the only routes are the link's own,
/// so nothing can leave the machine.
///
/// Sockets belong to the namespace of the thread that creates them: create them inside
/// ``within(_:_:)`` and use them anywhere afterwards. A process runs in a host's namespace with
/// `ip netns exec` and ``clientNamespace`` or ``serverNamespace``.
///
///     let network = try TestNetwork()
///     let server = try network.within(.server) { try TestServer.source(bytes: 1 << 20, on: network.address(.server, .ipv4)) }
///     try network.impair(.loss(percent: 5))
///     let socket = try network.within(.client) { try Socket.connected(to: server.address) }
///
/// Impairments are nftables rules in the server's namespace (its input chain sees what the
/// client sends; its output chain what it answers) and tc qdiscs on the link. There is no
/// netem in this kernel, so no added delay or reordering. Namespaces are named
/// `sockets-<pid>-<n>-client`/`-server`; ``close()`` (or `deinit`) deletes them, and a new
/// network first deletes those of processes that are gone (a killed test run).
public final class TestNetwork: @unchecked Sendable {
    /// One of the two hosts.
    public enum Host: String, Sendable {
        /// The client's namespace.
        case client
        /// The server's namespace.
        case server
    }

    /// A way to spoil the link.
    public enum Impairment: Sendable, Equatable {
        /// The server drops everything that reaches it (of one family, or all): SYNs and
        /// datagrams vanish.
        case blackHole(AddressFamily?)
        /// Each packet is dropped with this probability, both ways.
        case loss(percent: Int)
        /// Every TCP segment to the server's `port` is answered with a reset.
        case reset(port: UInt16)
        /// Everything to the server (on `port`, or any) is answered with an ICMP error:
        /// port unreachable (`refused`) or host unreachable.
        case unreachable(port: UInt16?, host: Bool)
        /// Both directions limited to this many megabits per second (tc `tbf`, with two
        /// seconds of queue, so that the link is slow rather than lossy).
        case rateLimit(megabits: Int)
        /// The link's MTU.
        case mtu(Int)
    }

    /// Why a test network cannot be made here, in one line; `nil` when it can (root with
    /// `ip`, `nft` and `tc`).
    public static var unavailableReason: String? {
        guard geteuid() == 0 else { return "needs root (CAP_NET_ADMIN) for network namespaces: skipped" }
        for (tool, package) in [("ip", "iproute2"), ("nft", "nftables"), ("tc", "iproute2")] where path(of: tool) == nil {
            return "needs '\(tool)' (Debian package \(package)): skipped"
        }
        return nil
    }

    /// The namespaces' names.
    public let clientNamespace: String
    /// The server's namespace name.
    public let serverNamespace: String
    private var closed = false
    private let lock = NSLock()
    private static let counter = NSLock()
    nonisolated(unsafe) private static var made = 0

    /// Makes the two namespaces and the link, and checks the routes.
    ///
    /// - Throws: ``TestNetworkError`` when a command fails (with its output), or when a route
    ///   other than the link's own is found.
    public init() throws {
        Self.removeLeftovers()
        let index = Self.counter.withLock { Self.made += 1; return Self.made }
        let prefix = "sockets-\(getpid())-\(index)"
        clientNamespace = prefix + "-client"
        serverNamespace = prefix + "-server"
        do {
            try Self.run(["ip", "netns", "add", clientNamespace])
            try Self.run(["ip", "netns", "add", serverNamespace])
            try Self.run(["ip", "-n", clientNamespace, "link", "add", "veth0", "type", "veth",
                          "peer", "name", "veth0", "netns", serverNamespace])
            for (namespace, host) in [(clientNamespace, 1), (serverNamespace, 2)] {
                try Self.run(["ip", "-n", namespace, "link", "set", "lo", "up"])
                try Self.run(["ip", "-n", namespace, "addr", "add", "198.18.0.\(host)/24", "dev", "veth0"])
                try Self.run(["ip", "-n", namespace, "addr", "add", "fd00:5e::\(host)/64", "dev", "veth0", "nodad"])
                try Self.run(["ip", "-n", namespace, "link", "set", "veth0", "up"])
                try Self.checkRoutes(namespace)
            }
            // The server answers every packet it rejects: no ICMP rate limit (1 per second per
            // peer by default, which would swallow all but the first error of a test).
            try Self.run(["ip", "netns", "exec", serverNamespace, "sysctl", "-q", "-w",
                          "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0"])
            try Self.run(["ip", "netns", "exec", serverNamespace, "nft", "-f", "-"], input: """
                table inet sockets_test {
                    chain input { type filter hook input priority 0; policy accept; }
                    chain output { type filter hook output priority 0; policy accept; }
                }
                """)
        } catch {
            Self.delete(clientNamespace)
            Self.delete(serverNamespace)
            throw error
        }
    }

    deinit { close() }

    /// Deletes both namespaces, and with them the link, the rules and the qdiscs.
    public func close() {
        let first = lock.withLock { () -> Bool in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        for action in lock.withLock({ closing }) { action() }
        Self.delete(clientNamespace)
        Self.delete(serverNamespace)
    }

    /// What to do as the network closes (a name server's clean-up).
    private var closing: [() -> Void] = []

    /// Runs `action` when the network closes.
    func onClose(_ action: @escaping () -> Void) {
        lock.withLock { closing.append(action) }
    }

    /// The address of `host` in `family`, with `port`.
    ///
    /// - Parameters:
    ///   - host: the client or the server.
    ///   - family: `.ipv4` (198.18.0.x) or `.ipv6` (fd00:5e::x).
    ///   - port: the port, 0 by default (let `bind` pick).
    public func address(_ host: Host, _ family: AddressFamily, port: UInt16 = 0) -> SocketAddress {
        let number: UInt8 = host == .client ? 1 : 2
        return family == .ipv6
            ? .ipv6(IPv6Address(high: 0xfd00_005e_0000_0000, low: UInt64(number)), port: port)
            : .ipv4(IPv4Address(198, 18, 0, number), port: port)
    }

    /// Runs `body` on the calling thread inside `host`'s namespace, then moves the thread
    /// back: the sockets `body` creates belong to that host and keep working afterwards, from
    /// any thread. `body` must not suspend (it is synchronous) or start threads that expect
    /// the namespace.
    ///
    /// - Parameters:
    ///   - host: the client or the server.
    ///   - body: the work to do there.
    /// - Throws: what `body` throws, or ``TestNetworkError`` if the namespace cannot be entered.
    public func within<R: ~Copyable, E: Error>(_ host: Host, _ body: () throws(E) -> R) throws -> R {
        let home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard home >= 0 else { throw TestNetworkError("open /proc/thread-self/ns/net: errno \(errno)") }
        defer { Glibc.close(home) }
        let target = open("/run/netns/" + namespace(host), O_RDONLY | O_CLOEXEC)
        guard target >= 0 else { throw TestNetworkError("open /run/netns/\(namespace(host)): errno \(errno)") }
        defer { Glibc.close(target) }
        guard cshims_setns_network(target) == 0 else { throw TestNetworkError("setns \(namespace(host)): errno \(errno)") }
        defer {
            // Coming back cannot fail for a namespace this thread was in; if it did, the
            // thread would stay in the test network, which must not go unnoticed.
            precondition(cshims_setns_network(home) == 0, "cannot return the thread to its network namespace")
        }
        return try body()
    }

    /// Spoils the link as `impairment` says, on top of what is already there.
    ///
    /// - Parameter impairment: what to do.
    /// - Throws: ``TestNetworkError`` with the command's output if a command fails.
    public func impair(_ impairment: Impairment) throws {
        switch impairment {
        // Rules match TCP and UDP only, so that neighbour discovery (ICMPv6) and ARP keep
        // working: the link stays up, the traffic on it is what suffers.
        case .blackHole(let family):
            let match = family.map { $0 == .ipv6 ? "meta nfproto ipv6 " : "meta nfproto ipv4 " } ?? ""
            try rule("input", match + "meta l4proto { tcp, udp } drop")
        case .loss(let percent):
            precondition(percent >= 0 && percent <= 100, "loss must be 0 to 100 percent")
            try rule("input", "meta l4proto { tcp, udp } numgen random mod 100 < \(percent) drop")
            try rule("output", "meta l4proto { tcp, udp } numgen random mod 100 < \(percent) drop")
        case .reset(let port):
            try rule("input", "tcp dport \(port) reject with tcp reset")
        case .unreachable(let port, let host):
            let match = port.map { "th dport \($0) " } ?? ""
            try rule("input", "meta l4proto { tcp, udp } " + match
                     + "reject with icmpx type \(host ? "host-unreachable" : "port-unreachable")")
        case .rateLimit(let megabits):
            for namespace in [clientNamespace, serverNamespace] {
                try Self.run(["tc", "-n", namespace, "qdisc", "replace", "dev", "veth0", "root", "tbf",
                              "rate", "\(megabits)mbit", "burst", "32kbit", "latency", "2s"])
            }
        case .mtu(let mtu):
            for namespace in [clientNamespace, serverNamespace] {
                try Self.run(["ip", "-n", namespace, "link", "set", "dev", "veth0", "mtu", "\(mtu)"])
            }
        }
    }

    /// Removes every impairment: rules, qdiscs, and the MTU back to 1500.
    ///
    /// - Throws: ``TestNetworkError`` with the command's output if a command fails.
    public func heal() throws {
        for chain in ["input", "output"] {
            try Self.run(["ip", "netns", "exec", serverNamespace, "nft", "flush", "chain", "inet", "sockets_test", chain])
        }
        for namespace in [clientNamespace, serverNamespace] {
            _ = try? Self.run(["tc", "-n", namespace, "qdisc", "del", "dev", "veth0", "root"])
            try Self.run(["ip", "-n", namespace, "link", "set", "dev", "veth0", "mtu", "1500"])
        }
    }

    /// The nftables rules now in force in the server's namespace, as `nft list` prints them.
    ///
    /// - Throws: ``TestNetworkError`` with the command's output if `nft` fails.
    public func rules() throws -> String {
        try Self.run(["ip", "netns", "exec", serverNamespace, "nft", "list", "table", "inet", "sockets_test"])
    }

    /// The kernel's TCP counters in one host's namespace that are not zero, as `nstat` prints
    /// them: segments sent and retransmitted, retransmission timeouts, segments dropped for want
    /// of receive memory. For a failure message when a transfer over an impaired link stalls.
    ///
    /// - Parameter host: whose counters.
    /// - Throws: ``TestNetworkError`` with the command's output if `nstat` fails.
    public func tcpCounters(_ host: Host) throws -> String {
        try Self.run(["ip", "netns", "exec", namespace(host), "nstat", "--absolute", "--noupdate", "Tcp*"])
    }

    private func namespace(_ host: Host) -> String { host == .client ? clientNamespace : serverNamespace }

    private func rule(_ chain: String, _ text: String) throws {
        try Self.run(["ip", "netns", "exec", serverNamespace, "nft", "add", "rule", "inet", "sockets_test", chain]
                     + text.split(separator: " ").map(String.init))
    }

    // MARK: - Commands

    /// Runs a command to completion (at most 30 s) and returns its standard output. Started
    /// with `posix_spawn` (Foundation's `Process` leaks on Linux, which LeakSanitizer reports),
    /// with default signal handling, its output in temporary files.
    @discardableResult
    static func run(_ arguments: [String], input: String? = nil) throws -> String {
        let base = NSTemporaryDirectory() + "sockets-network-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let (outputPath, errorPath, inputPath) = (base + ".out", base + ".err", base + ".in")
        defer { for path in [outputPath, errorPath, inputPath] { unlink(path) } }
        if let input { try Data(input.utf8).write(to: URL(fileURLWithPath: inputPath)) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input == nil ? "/dev/null" : inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let executable = path(of: arguments[0]) ?? arguments[0]
        var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments.dropFirst()).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
        guard spawned == 0 else { throw TestNetworkError("\(arguments.joined(separator: " ")): cannot start (errno \(spawned))") }
        var status: Int32 = 0
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while waitpid(pid, &status, WNOHANG) == 0 {
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw TestNetworkError("\(arguments.joined(separator: " ")): still running after 30 s")
            }
            usleep(1000)
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw TestNetworkError("\(arguments.joined(separator: " ")): exit status \(status): \(errors)")
        }
        return output
    }

    /// Fails unless every route in `namespace` is the link's own (no default route, nothing
    /// that leads off the machine).
    static func checkRoutes(_ namespace: String) throws {
        for family in ["-4", "-6"] {
            let routes = try run(["ip", family, "-n", namespace, "route", "show", "table", "all"])
            for line in routes.split(separator: "\n") {
                let text = String(line)
                let own = text.hasPrefix("198.18.0.") || text.hasPrefix("local 198.18.0.") || text.hasPrefix("broadcast 198.18.0.")
                    || text.hasPrefix("fd00:5e::") || text.hasPrefix("local fd00:5e::") || text.hasPrefix("multicast ff00::/8")
                    || text.hasPrefix("fe80::/64") || text.hasPrefix("local fe80::") || text.hasPrefix("anycast fd00:5e::")
                    || text.contains(" dev lo ") || text.hasPrefix("local 127.") || text.hasPrefix("broadcast 127.")
                    || text.hasPrefix("local ::1") || text.hasPrefix("::1 ")
                guard own, !text.hasPrefix("default") else {
                    throw TestNetworkError("namespace \(namespace) has a route off the test link: \(text)")
                }
            }
        }
    }

    /// Deletes `namespace` (and what lives in it), ignoring a namespace already gone.
    static func delete(_ namespace: String) {
        _ = try? run(["ip", "netns", "delete", namespace])
    }

    /// Deletes the namespaces of test networks whose process is gone (a killed run).
    static func removeLeftovers() {
        guard let list = try? run(["ip", "netns", "list"]) else { return }
        for line in list.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            let parts = name.split(separator: "-")
            guard parts.count == 4, parts[0] == "sockets", let pid = Int32(parts[1]) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH { delete(name) }
        }
        // A killed run's name service configuration (``TestNameServer``).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/etc/netns")) ?? [] {
            let parts = name.split(separator: "-")
            guard parts.count == 4, parts[0] == "sockets", let pid = Int32(parts[1]) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: "/etc/netns/" + name)
            }
        }
    }

    /// The full path of `tool` in the usual system folders, or `nil`.
    static func path(of tool: String) -> String? {
        ["/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"].map { $0 + tool }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A test network command that failed, with what it printed.
public struct TestNetworkError: Error, CustomStringConvertible {
    /// What failed and why.
    public let description: String
    init(_ description: String) { self.description = description }
}
