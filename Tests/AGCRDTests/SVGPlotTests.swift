@testable import AGCRD
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

final class SVGPlotTests: XCTestCase {
    func testPlotIsWellFormedXMLWithEverySeries() {
        let plot = SVGPlot(title: "clip <a&b>", xLabel: "kb/s", yLabel: "MS-SSIM-Y", logX: true, series: [
            .init(name: "agc", color: "#d62728", points: [(x: 4, y: 0.9), (x: 8, y: 0.95)]),
            .init(name: "av1", color: "#1f77b4", points: [(x: 16, y: 0.93), (x: 0, y: 0.99), (x: 32, y: .nan)]),
            .init(name: "empty", color: "#2ca02c", points: []),
        ])
        let svg = plot.render()
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssertTrue(parser.parse(), "well-formed: \(String(describing: parser.parserError))")
        XCTAssertTrue(svg.contains("clip &lt;a&amp;b&gt;"))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 1, "one line with two usable points")
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 3, "unusable points are left out")
        XCTAssertFalse(svg.contains("nan"))
    }
}
