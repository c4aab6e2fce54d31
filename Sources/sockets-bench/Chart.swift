// An SVG line chart: throughput against buffer size, one line per contender.

import Foundation

/// Draws GiB/s against buffer size (log scale) for each contender of `mode`.
func throughputChart(_ rows: [Row], mode: String, title: String) -> String {
    let selected = rows.filter { $0.workload == "tcp" && $0.mode == mode }
    let contenders = Array(NSOrderedSet(array: selected.map(\.contender))) as? [String] ?? []
    let sizes = Array(Set(selected.map(\.size))).sorted()
    guard !sizes.isEmpty else { return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>" }
    let width = 760.0, height = 440.0, left = 70.0, right = 230.0, top = 40.0, bottom = 60.0
    let plotWidth = width - left - right, plotHeight = height - top - bottom
    let maxRate = max(selected.map(\.gibPerSecond).max() ?? 1, 0.001) * 1.1
    let minLog = log2(Double(sizes.first!)), maxLog = log2(Double(sizes.last!))
    func x(_ size: Int) -> Double {
        left + (maxLog == minLog ? 0.5 : (log2(Double(size)) - minLog) / (maxLog - minLog)) * plotWidth
    }
    func y(_ rate: Double) -> Double { top + plotHeight - rate / maxRate * plotHeight }
    let colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]
    var svg = """
    <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
    <rect width="100%" height="100%" fill="white"/>
    <text x="\(left)" y="24" font-size="15">\(title)</text>
    <line x1="\(left)" y1="\(top + plotHeight)" x2="\(left + plotWidth)" y2="\(top + plotHeight)" stroke="black"/>
    <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(top + plotHeight)" stroke="black"/>
    <text x="\(left + plotWidth / 2)" y="\(height - 15)" text-anchor="middle">buffer size (bytes per recv)</text>
    <text x="18" y="\(top + plotHeight / 2)" transform="rotate(-90 18 \(top + plotHeight / 2))" text-anchor="middle">GiB/s (median)</text>

    """
    for size in sizes {
        let label = size >= 1 << 20 ? "\(size >> 20) MiB" : size >= 1024 ? "\(size >> 10) KiB" : "\(size) B"
        svg += "<text x=\"\(x(size))\" y=\"\(top + plotHeight + 18)\" text-anchor=\"middle\">\(label)</text>\n"
    }
    for step in 0...4 {
        let rate = maxRate * Double(step) / 4
        svg += "<line x1=\"\(left)\" y1=\"\(y(rate))\" x2=\"\(left + plotWidth)\" y2=\"\(y(rate))\" stroke=\"#ddd\"/>"
        svg += "<text x=\"\(left - 8)\" y=\"\(y(rate) + 4)\" text-anchor=\"end\">\(String(format: "%.1f", rate))</text>\n"
    }
    for (index, contender) in contenders.enumerated() {
        let color = colors[index % colors.count]
        let points = selected.filter { $0.contender == contender }.sorted { $0.size < $1.size }
            .map { "\(x($0.size)),\(y($0.gibPerSecond))" }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
        let legendY = top + 10 + Double(index) * 20
        svg += "<line x1=\"\(left + plotWidth + 15)\" y1=\"\(legendY)\" x2=\"\(left + plotWidth + 35)\" y2=\"\(legendY)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
        svg += "<text x=\"\(left + plotWidth + 40)\" y=\"\(legendY + 4)\">\(contender)</text>\n"
    }
    return svg + "</svg>\n"
}
