// `netclient load HOST PORT PATH`: HTTP/1.0 GET load, a new connection per request (as ab) or
// kept alive (as wrk), from concurrent tasks over the async layer; requests/s, bytes/s, latency
// percentiles, the connect / first byte / total breakdown, statuses and errors by class.

import ArgumentParser
import AsyncSockets
import Sockets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put HTTP/1.0 GET load on HOST: requests/s, latency percentiles, statuses, errors.",
        discussion: """
        Runs --concurrency clients at once, each sending GET PATH and reading the whole reply, \
        for --requests requests in all or for --duration. Each request opens a new connection, \
        as ab does; with --keep-alive it sends Connection: keep-alive and reuses the connection \
        while replies allow it (a Content-Length and no Connection: close), as wrk does. A \
        connection whose reply ran to the server's close (so every byte has arrived) is ended \
        with a reset, which spares the FIN exchange and the server's TIME_WAIT entry; \
        --graceful-close sends a FIN instead. Every \
        step of a request is bounded by --timeout. A reply with any HTTP status counts as \
        completed; failures are counted by the classes of the exit codes, and the run exits \
        with the code of the commonest one.

        Exit codes:
        \(Exit.table)
        """)

    @Argument(help: "The host name or address (resolved once, at the start).")
    var host: String

    @Argument(help: "The port: a number or a tcp service name.")
    var port: String

    @Argument(help: "The path to request, such as /index.html.")
    var path: String

    @Option(name: [.customShort("c"), .long], help: "How many requests run at once, 1 to 20000 (as ab).")
    var concurrency: Int = 1

    @Option(name: [.customShort("n"), .long], help: "How many requests in all (default 1000 unless --duration).")
    var requests: Int?

    @Option(name: [.customShort("d"), .long], help: "Start requests for this long instead: 10, 10s, 500ms, 2m.")
    var duration: LoadDuration?

    @Flag(name: .long, help: "Reuse connections (Connection: keep-alive) while replies allow it.")
    var keepAlive = false

    @Flag(name: .long, help: "End each connection with a FIN after the server's close, instead of a reset.")
    var gracefulClose = false

    @Option(name: .long, help: "Give up on each step of a request (connect, send, each receive) after this many seconds.")
    var timeout: Double = 10

    @Flag(name: .customShort("4"), help: "Use an IPv4 address.")
    var ipv4Only = false

    @Flag(name: .customShort("6"), help: "Use an IPv6 address.")
    var ipv6Only = false

    @Flag(name: .long, help: "Print one JSON document (schema netclient/1) on stdout instead of the text report.")
    var json = false

    func validate() throws {
        guard concurrency >= 1, concurrency <= 20_000 else {
            throw ValidationError("-c/--concurrency must be 1 to 20000, not \(concurrency)")
        }
        if let requests {
            guard requests >= 1, requests <= 1_000_000_000 else {
                throw ValidationError("-n/--requests must be 1 to 1000000000, not \(requests)")
            }
            guard duration == nil else { throw ValidationError("give -n/--requests or -d/--duration, not both") }
        }
        guard timeout > 0, timeout.isFinite, timeout < 1e9 else {
            throw ValidationError("--timeout must be a positive number of seconds")
        }
        guard !(ipv4Only && ipv6Only) else { throw ValidationError("-4 and -6 exclude each other") }
    }

    func run() async throws {
        let report = JSONReport(enabled: json, command: "load")
        try await report.run {
            _ = try HTTPRequest(path: path, host: host, port: 80)  // A bad path is refused before the network.
            let address = try resolve()
            var request = try HTTPRequest(path: path, host: host, port: address.port ?? 80)
            request.keepAlive = keepAlive
            raiseDescriptorLimit(for: concurrency)
            let count = duration == nil ? (requests ?? 1000) : nil
            let workers = min(concurrency, count ?? concurrency)
            let start = ContinuousClock.now
            let plan = LoadPlan(address: address, request: request.text, keepAlive: keepAlive, gracefulClose: gracefulClose,
                                timeout: ConnectOptions.duration(timeout), requests: count,
                                deadline: duration.map { start + $0.value })
            let statistics = Locked(LoadStatistics())
            let cpuBefore = CPUTime.now
            await withTaskExecutorPreference(AsyncSocket.reactorExecutor) {
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<workers {
                        group.addTask {
                            let worker = LoadWorker(plan: plan, statistics: statistics)
                            await worker.run()
                        }
                    }
                }
            }
            let elapsed = start.duration(to: .now)
            let cpu = CPUTime.now - cpuBefore
            let result = statistics.withLock { $0 }
            let summary = LoadSummary(load: self, address: address, workers: workers, elapsed: elapsed, cpu: cpu,
                                      statistics: result)
            if json {
                try report.print(summary.json)
            } else {
                try Output.standardOutput.write(summary.text)
            }
            if let failure = summary.failure {
                // The report is out; the line and the exit code say that requests failed.
                Output.standardError.writeLine("netclient: \(failure.message)")
                throw ExitCode(failure.exit.rawValue)
            }
        }
    }

    /// The one address every request goes to: the port looked up and the host resolved once,
    /// the first address of the family asked for.
    private func resolve() throws -> SocketAddress {
        do throws(SocketError) {
            let number = try Service.port(port, protocol: .tcp)
            let family: AddressFamily = ipv4Only ? .ipv4 : ipv6Only ? .ipv6 : .unspecified
            let candidates = try Resolver.resolve(host, port: number, family: family, type: .stream)
            guard let first = candidates.first else {
                throw SocketError(.resolution(.noName), operation: "getaddrinfo", target: host)
            }
            return first.address
        } catch {
            throw Failure(error, during: .connect)
        }
    }
}

/// A `-d` value: seconds by default, or with a unit (ms, s, m, h).
struct LoadDuration: ExpressibleByArgument {
    let value: Duration

    init?(argument: String) {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(argument)
        var scale = 1.0
        for unit in units where argument.hasSuffix(unit.suffix) {
            number = argument.dropLast(unit.suffix.count)
            scale = unit.seconds
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let amount = Double(number), amount > 0, amount * scale <= 86_400 else { return nil }
        value = ConnectOptions.duration(amount * scale)
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// User and system CPU time of this process (`getrusage(RUSAGE_SELF)`).
struct CPUTime {
    var user: Double
    var system: Double

    static var now: CPUTime {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return CPUTime(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
    }

    static func - (after: CPUTime, before: CPUTime) -> CPUTime {
        CPUTime(user: after.user - before.user, system: after.system - before.system)
    }
}

/// Raises the soft limit on open descriptors towards the hard one, so that `count`
/// connections (and the process's own descriptors) fit; a limit that cannot be raised shows
/// up as `EMFILE` errors in the report.
private func raiseDescriptorLimit(for count: Int) {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
    let wanted = rlim_t(count + 64)
    guard limit.rlim_cur < wanted else { return }
    limit.rlim_cur = min(wanted, limit.rlim_max)
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}
