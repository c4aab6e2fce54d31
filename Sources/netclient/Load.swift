// `netclient load HOST PORT PATH`: HTTP/1.0 GET load, a new connection per request (as ab) or
// kept alive (as wrk), from concurrent tasks over the async layer on one or more reactors, in a
// closed loop or at a fixed rate (as wrk2); requests/s, bytes/s, latency percentiles corrected
// for coordinated omission and as measured, the connect / first byte / total breakdown,
// statuses and errors by class.

import ArgumentParser
import AsyncSockets
import Histogram
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

        Without --rate the load is a closed loop: each client sends its next request when the \
        last is done, so a server that stalls also stalls the clock (coordinated omission). \
        The latency line corrects for it as wrk does (each value longer than a client's mean \
        time between requests adds the values the requests it held back would have seen); \
        the uncorrected line is what was measured. With --rate R the load is an open loop, as \
        wrk2's: requests are due at R per second, dealt out in turn to the clients, each sent \
        when due (at once by a client that is behind), and latency counts from when each was \
        due. --threads N runs the clients on N reactor threads.

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

    @Option(name: [.customShort("R"), .long], help: "Open loop: send requests at this many per second in all, latency counted from when each was due (as wrk2).")
    var rate: Double?

    @Option(name: [.customShort("t"), .long], help: "Run the clients on this many reactor threads, 1 to 64 (at most --concurrency).")
    var threads: Int = 1

    @Option(name: .long, help: "Write the corrected latency distribution to this file in HdrHistogram's percentile format (.hgrm, milliseconds).")
    var latencyFile: String?

    @Option(name: .long, help: "Draw the run into this SVG file: the latency percentile spectrum and each second's requests, p50 and p99.")
    var plot: String?

    @Flag(name: .long, help: "Reuse connections (Connection: keep-alive) while replies allow it.")
    var keepAlive = false

    @Flag(name: .customLong("http1.1"), help: "Speak HTTP/1.1 (the default with --keep-alive; without it, each request says Connection: close).")
    var http11 = false

    @Flag(name: .customLong("http1.0"), help: "Speak HTTP/1.0 even with --keep-alive (Connection: keep-alive).")
    var http10 = false

    @Option(name: .long, help: "Requests in flight per connection, sent back to back, 1 to 256 (closed loop, with --keep-alive).")
    var pipeline: Int = 1

    @Option(name: [.customShort("m"), .long], help: "The request method (default GET).")
    var method: String = "GET"

    @Option(name: [.customShort("H"), .customLong("header")], help: "An extra request header, 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(name: .long, help: "Send this file's bytes as each request's body, with its Content-Length.")
    var body: String?

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
        guard (1...64).contains(threads) else { throw ValidationError("-t/--threads must be 1 to 64, not \(threads)") }
        if let rate {
            guard rate.isFinite, rate > 0, rate <= 10_000_000 else {
                throw ValidationError("-R/--rate must be more than 0 and at most 10000000 requests/s, not \(rate)")
            }
            let count = Double(duration == nil ? (requests ?? 1000) : 0)
            guard count / rate <= 86_400 else {
                throw ValidationError("-n \(requests ?? 1000) at -R \(rate) would take \(Int(count / rate)) s: more than a day")
            }
        }
        if let latencyFile, latencyFile.isEmpty { throw ValidationError("--latency-file needs a file name") }
        if let plot, plot.isEmpty { throw ValidationError("--plot needs a file name") }
        guard !(http11 && http10) else { throw ValidationError("--http1.1 and --http1.0 exclude each other") }
        guard (1...256).contains(pipeline) else { throw ValidationError("--pipeline must be 1 to 256, not \(pipeline)") }
        if pipeline > 1 {
            guard keepAlive else { throw ValidationError("--pipeline needs --keep-alive (requests share a connection)") }
            guard rate == nil else { throw ValidationError("--pipeline works in the closed loop only: with -R each request goes when due") }
        }
        do {
            _ = try validatedRequest(hostHeaderPort: 80)  // Refused before the network.
        } catch let failure as Failure {
            throw ValidationError(failure.message)
        }
        guard timeout > 0, timeout.isFinite, timeout < 1e9 else {
            throw ValidationError("--timeout must be a positive number of seconds")
        }
        guard !(ipv4Only && ipv6Only) else { throw ValidationError("-4 and -6 exclude each other") }
    }

    func run() async throws {
        let report = JSONReport(enabled: json, command: "load")
        try await report.run {
            try startReactors()
            let address = try await resolve()
            let request = try validatedRequest(hostHeaderPort: address.port ?? 80)
            // The connections and the process's own descriptors; a limit that cannot be raised
            // shows up as EMFILE errors in the report.
            raiseDescriptorLimit(to: concurrency + 64)
            let count = duration == nil ? (requests ?? 1000) : nil
            let workers = min(concurrency, count ?? concurrency)
            let threadCount = min(threads, workers)
            let start = ContinuousClock.now
            let deadline = duration.map { start + $0.value }
            let schedule = rate.map { rate in
                duration.map { LoadSchedule(start: start, rate: rate, duration: $0.value) }
                    ?? LoadSchedule(start: start, rate: rate, total: count ?? 1000)
            }
            let plan = LoadPlan(address: address, request: request, keepAlive: keepAlive, gracefulClose: gracefulClose,
                                timeout: ConnectOptions.duration(timeout), pipeline: pipeline, requests: count,
                                deadline: deadline, schedule: schedule)
            // One set of figures per thread, its workers' only, merged at the end.
            let perThread = (0..<threadCount).map { _ in
                var statistics = LoadStatistics()
                statistics.start = start
                return Locked(statistics)
            }
            let executors = AsyncRuntime.executors
            let cpuBefore = CPUTime.now
            let progress = LoadProgress.wanted(json: json)
                ? Task { await LoadProgress.run(start: start, statistics: perThread) } : nil
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<workers {
                    let thread = index % threadCount
                    group.addTask(executorPreference: executors[thread % executors.count]) {
                        var worker = LoadWorker(plan: plan, statistics: perThread[thread], index: index, workers: workers)
                        await worker.run()
                    }
                }
            }
            let elapsed = start.duration(to: .now)
            let cpu = CPUTime.now - cpuBefore
            progress?.cancel()
            await progress?.value
            var result = LoadStatistics()
            result.start = start
            for statistics in perThread { result.merge(statistics.withLock { $0 }) }
            let summary = LoadSummary(load: self, address: address, workers: workers, threads: threadCount,
                                      elapsed: elapsed, cpu: cpu, statistics: result, schedule: schedule)
            if let latencyFile {
                var text = ""
                summary.corrected.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1e6)
                try write(text, to: latencyFile, option: "--latency-file")
            }
            if let plot { try write(LoadPlot(summary: summary).svg, to: plot, option: "--plot") }
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

    /// The request every client sends, every part checked (path, method, headers, body file):
    /// a usage failure (exit 64, one line) before anything touches the network.
    private func validatedRequest(hostHeaderPort port: UInt16) throws -> HTTPRequest {
        var request = try HTTPRequest(path: path, host: host, port: port)
        request.keepAlive = keepAlive
        request.http11 = http11 || (keepAlive && !http10)
        try request.setMethod(method)
        for header in headers { try request.addHeader(header) }
        if let body { request.body = try Self.readBody(body) }
        return request
    }

    /// The bytes of the `--body` file (at most 64 MiB).
    private static func readBody(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw ValidationError("cannot read --body \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            bytes += chunk[..<count]
            guard bytes.count <= 64 << 20 else { throw ValidationError("--body \(path) is larger than 64 MiB") }
            if count < chunk.count {
                guard ferror(file) == 0 else { throw ValidationError("cannot read --body \(path): \(String(cString: strerror(errno)))") }
                return bytes
            }
        }
    }

    /// Starts the reactors the clients run on: `--threads` of them (no more, so a lone thread's
    /// clients and sockets share one reactor).
    private func startReactors() throws {
        do throws(AsyncRuntimeError) {
            try AsyncRuntime.start(reactors: threads)
        } catch {
            throw Failure(.other, "cannot start \(threads) reactor threads: \(error)")
        }
    }

    /// Writes `text` to the file at `path` (for `option`).
    private func write(_ text: String, to path: String, option: String) throws {
        guard let file = fopen(path, "w") else {
            throw Failure(.localIO, "cannot write \(option) \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        guard fputs(text, file) >= 0, fflush(file) == 0 else {
            throw Failure(.localIO, "cannot write \(option) \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The one address every request goes to: the port looked up and the host resolved once,
    /// the first address of the family asked for.
    private func resolve() async throws -> SocketAddress {
        do throws(SocketError) {
            // On the blocking pool, bounded by --timeout: never on the reactor the load runs on.
            let limit = ConnectOptions.duration(timeout)
            let number = try await AsyncResolver.port(port, protocol: .tcp, timeout: limit)
            let family: AddressFamily = ipv4Only ? .ipv4 : ipv6Only ? .ipv6 : .unspecified
            let candidates = try await AsyncResolver.resolve(host, port: number, family: family, type: .stream, timeout: limit)
            guard let first = candidates.first else {
                throw SocketError(.resolution(.noName), operation: "getaddrinfo", target: host)
            }
            return first
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

