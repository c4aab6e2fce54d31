// `--json`: one JSON document on stdout per command, with keys in a fixed order. The schema is
// versioned (`"schema": "netclient/1"`) and documented in docs/netclient.md.

/// A JSON value whose objects keep their keys in the order they were given.
enum JSON {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    /// The schema every document names in its `schema` key.
    static let schema = "netclient/1"

    /// The document a command prints: `schema` and `command` first, then `fields`.
    static func document(_ command: String, _ fields: [(String, JSON)]) -> JSON {
        .object([("schema", .string(schema)), ("command", .string(command))] + fields)
    }

    /// `value` or `null`.
    static func optional(_ value: Double?) -> JSON { value.map(JSON.double) ?? .null }

    /// `value` or `null`.
    static func optional(_ value: Int?) -> JSON { value.map(JSON.int) ?? .null }

    /// `value` or `null`.
    static func optional(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }

    /// The compact text of the value.
    var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value):
            // JSON has no NaN or infinity; a figure that is not finite is unknown.
            out += value.isFinite ? String(value) : "null"
        case .string(let value): Self.quote(value, into: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { out += "," }
                Self.quote(key, into: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped.
    private static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// How a command that takes `--json` reports: the document on stdout, and on a failure a
/// document with its `error` (as well as the usual line on stderr).
struct JSONReport {
    let enabled: Bool
    let command: String

    /// Prints the document of a successful run.
    func print(_ fields: [(String, JSON)]) throws {
        try Output.standardOutput.write(JSON.document(command, fields).text + "\n")
    }

    /// Runs `body` (which prints its own document when enabled); a failure becomes, when
    /// enabled, a document with `error` holding its class, exit code and message, then the
    /// usual line on stderr and exit code.
    func run(_ body: () throws -> Void) throws {
        do { try body() } catch { throw reportedWithDocument(error) }
    }

    /// The async form of ``run(_:)``.
    func run(_ body: () async throws -> Void) async throws {
        do { try await body() } catch { throw reportedWithDocument(error) }
    }

    /// Prints the error document for a failure when enabled, then reports it as usual.
    private func reportedWithDocument(_ error: any Error) -> any Error {
        if enabled, let failure = asFailure(error) { try? print([("error", failure.json)]) }
        return reported(error)
    }
}

extension Failure {
    /// `{"class": "timeout", "exit_code": 5, "message": "..."}`.
    var json: JSON {
        .object([("class", .string(exit.className)), ("exit_code", .int(Int(exit.rawValue))),
                 ("message", .string(message))])
    }
}

extension Exit {
    /// The name of the class of failure, as the JSON output and `load`'s error counts spell it.
    var className: String {
        switch self {
        case .success: "success"
        case .other: "other"
        case .portLookup: "port_lookup"
        case .resolution: "resolution"
        case .connection: "connection"
        case .timeout: "timeout"
        case .sending: "sending"
        case .receiving: "receiving"
        case .hostLookup: "host_lookup"
        case .localIO: "local_io"
        case .badReply: "bad_reply"
        case .usage: "usage"
        }
    }
}
