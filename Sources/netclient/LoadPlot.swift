// `netclient load --plot FILE.svg`: the run at a glance. Left, the latency percentile spectrum
// (corrected and as measured, percentiles on HdrHistogram's log scale out to 99.999%); right,
// the timeline: requests ended per second (bars) with that second's p50 and p99.

import Histogram

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An SVG picture of a finished run.
struct LoadPlot {
    let summary: LoadSummary

    private static let width = 1000.0
    private static let height = 420.0
    private static let panelWidth = 400.0
    private static let panelHeight = 290.0
    private static let top = 70.0

    /// The SVG document.
    var svg: String {
        var out: [String] = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"20\" y=\"28\" font-size=\"16\">\(Self.escaped(summary.title))</text>",
        ]
        out += percentilePanel(x: 70)
        out += timelinePanel(x: 560)
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: - Percentile spectrum

    /// Percentiles as HdrHistogram's plotter places them: x is log10(1 / (1 - p)).
    private static let percentileTicks: [(label: String, percentile: Double)] = [
        ("0%", 0), ("90%", 90), ("99%", 99), ("99.9%", 99.9), ("99.99%", 99.99), ("99.999%", 99.999),
    ]

    private static func spectrumX(_ percentile: Double) -> Double {
        log10(1 / (1 - min(percentile, 99.999) / 100)) / 5
    }

    private func percentilePanel(x: Double) -> [String] {
        let corrected = Self.spectrum(summary.corrected)
        let measured = Self.spectrum(summary.statistics.total)
        let top = niceCeiling(max(corrected.map(\.1).max() ?? 0, measured.map(\.1).max() ?? 0, 0.001))
        var out = ["<g id=\"percentiles\">",
                   "<text x=\"\(x)\" y=\"\(Self.top - 12)\" font-size=\"14\">Latency by percentile (ms)</text>"]
        out += frame(x: x, yMax: top, unit: "ms")
        for tick in Self.percentileTicks {
            let px = x + Self.spectrumX(tick.percentile) * Self.panelWidth
            out.append("<line x1=\"\(f(px))\" y1=\"\(f(Self.top + Self.panelHeight))\" x2=\"\(f(px))\" y2=\"\(f(Self.top))\" stroke=\"#eee\"/>")
            out.append("<text x=\"\(f(px))\" y=\"\(f(Self.top + Self.panelHeight + 16))\" text-anchor=\"middle\">\(tick.label)</text>")
        }
        let points: ([(Double, Double)]) -> String = { series in
            series.map { "\(f(x + Self.spectrumX($0.0) * Self.panelWidth)),\(f(Self.top + Self.panelHeight * (1 - $0.1 / top)))" }
                .joined(separator: " ")
        }
        out.append("<polyline id=\"corrected\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"\(points(corrected))\"/>")
        out.append("<polyline id=\"measured\" fill=\"none\" stroke=\"#2c7fb8\" stroke-width=\"2\" stroke-dasharray=\"5,3\" points=\"\(points(measured))\"/>")
        let legendY = Self.top + Self.panelHeight + 40
        out.append("<line x1=\"\(x)\" y1=\"\(f(legendY - 4))\" x2=\"\(x + 24)\" y2=\"\(f(legendY - 4))\" stroke=\"#c0392b\" stroke-width=\"2\"/>")
        out.append("<text x=\"\(x + 30)\" y=\"\(f(legendY))\">corrected for coordinated omission</text>")
        out.append("<line x1=\"\(x + 240)\" y1=\"\(f(legendY - 4))\" x2=\"\(x + 264)\" y2=\"\(f(legendY - 4))\" stroke=\"#2c7fb8\" stroke-width=\"2\" stroke-dasharray=\"5,3\"/>")
        out.append("<text x=\"\(x + 270)\" y=\"\(f(legendY))\">as measured</text>")
        out.append("</g>")
        return out
    }

    /// (percentile, milliseconds) points of `histogram`, up to 99.999%.
    private static func spectrum(_ histogram: Histogram<UInt64>) -> [(Double, Double)] {
        guard histogram.totalCount > 0 else { return [] }
        var points: [(Double, Double)] = []
        for item in histogram.percentiles(ticksPerHalfDistance: 5) {
            let percentile = min(item.percentileLevelIteratedTo, 99.999)
            points.append((percentile, Double(item.value) / 1e6))
            if percentile >= 99.999 { break }
        }
        return points
    }

    // MARK: - Timeline

    private func timelinePanel(x: Double) -> [String] {
        let seconds = summary.statistics.timeline.seconds
        let count = max(seconds.count, 1)
        let latencies = seconds.map { second -> (Double, Double)? in
            guard second.completed > 0 else { return nil }
            return (Double(second.latency.valueAtPercentile(50)) / 1e6, Double(second.latency.valueAtPercentile(99)) / 1e6)
        }
        let top = niceCeiling(max(latencies.compactMap { $0?.1 }.max() ?? 0, 0.001))
        let most = niceCeiling(Double(seconds.map(\.completed).max() ?? 1))
        var out = ["<g id=\"timeline\">",
                   "<text x=\"\(x)\" y=\"\(Self.top - 12)\" font-size=\"14\">Each second: requests (bars), p50 and p99 (ms)</text>"]
        out += frame(x: x, yMax: top, unit: "ms")
        let slot = Self.panelWidth / Double(count)
        for (index, second) in seconds.enumerated() {
            let barHeight = Self.panelHeight * Double(second.completed) / most
            out.append("<rect class=\"requests\" x=\"\(f(x + Double(index) * slot + slot * 0.1))\" y=\"\(f(Self.top + Self.panelHeight - barHeight))\" width=\"\(f(slot * 0.8))\" height=\"\(f(barHeight))\" fill=\"#dde8f0\"/>")
            if second.failed > 0 {
                out.append("<circle class=\"errors\" cx=\"\(f(x + (Double(index) + 0.5) * slot))\" cy=\"\(f(Self.top + 6))\" r=\"4\" fill=\"#e67e22\"><title>\(second.failed) failed</title></circle>")
            }
        }
        out.append("<text x=\"\(f(x + Self.panelWidth + 6))\" y=\"\(f(Self.top + 4))\">\(Int(most))/s</text>")
        for (name, pick, color) in [("p50", { (pair: (Double, Double)) in pair.0 }, "#2c7fb8"), ("p99", { $0.1 }, "#c0392b")] {
            let points = latencies.enumerated().compactMap { index, pair in
                pair.map { "\(f(x + (Double(index) + 0.5) * slot)),\(f(Self.top + Self.panelHeight * (1 - pick($0) / top)))" }
            }.joined(separator: " ")
            out.append("<polyline id=\"\(name)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>")
        }
        let step = max(1, count / 10)
        for index in stride(from: 0, to: count, by: step) {
            out.append("<text x=\"\(f(x + (Double(index) + 0.5) * slot))\" y=\"\(f(Self.top + Self.panelHeight + 16))\" text-anchor=\"middle\">\(index)s</text>")
        }
        let legendY = Self.top + Self.panelHeight + 40
        out.append("<line x1=\"\(x)\" y1=\"\(f(legendY - 4))\" x2=\"\(x + 24)\" y2=\"\(f(legendY - 4))\" stroke=\"#2c7fb8\" stroke-width=\"2\"/>")
        out.append("<text x=\"\(x + 30)\" y=\"\(f(legendY))\">p50</text>")
        out.append("<line x1=\"\(x + 70)\" y1=\"\(f(legendY - 4))\" x2=\"\(x + 94)\" y2=\"\(f(legendY - 4))\" stroke=\"#c0392b\" stroke-width=\"2\"/>")
        out.append("<text x=\"\(x + 100)\" y=\"\(f(legendY))\">p99 (\(summary.schedule != nil ? "from when due" : "as measured"))</text>")
        out.append("</g>")
        return out
    }

    // MARK: - Shared

    /// The panel's axes and horizontal grid lines from 0 to `yMax`.
    private func frame(x: Double, yMax: Double, unit: String) -> [String] {
        var out = ["<rect x=\"\(x)\" y=\"\(Self.top)\" width=\"\(Self.panelWidth)\" height=\"\(Self.panelHeight)\" fill=\"none\" stroke=\"#999\"/>"]
        for step in 0...4 {
            let value = yMax * Double(step) / 4
            let y = Self.top + Self.panelHeight * (1 - Double(step) / 4)
            out.append("<line x1=\"\(x)\" y1=\"\(f(y))\" x2=\"\(x + Self.panelWidth)\" y2=\"\(f(y))\" stroke=\"#eee\"/>")
            out.append("<text x=\"\(x - 6)\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Self.label(value))</text>")
        }
        return out
    }

    /// The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at or above `value`.
    private func niceCeiling(_ value: Double) -> Double {
        let power = pow(10, floor(log10(value)))
        for factor in [1.0, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] where factor * power >= value { return factor * power }
        return 10 * power
    }

    private static func label(_ value: Double) -> String {
        value == 0 ? "0" : value >= 10 ? "\(Int(value.rounded()))" : value >= 1 ? fixed(value, 1) : fixed(value, 3)
    }

    private func f(_ value: Double) -> String { fixed(value, 1) }

    private static func escaped(_ text: String) -> String {
        text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
    }
}

extension String {
    /// The text with every `target` replaced by `replacement`.
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
