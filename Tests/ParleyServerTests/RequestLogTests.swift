import Testing
@testable import ParleyServer

/// The request log line's figures.
@Suite struct RequestLogTests {
    @Test func requestDurationsHaveThreeDecimals() {
        #expect(RequestLog.milliseconds(412_345) == "0.412")
        #expect(RequestLog.milliseconds(12_005_000) == "12.005")
        #expect(RequestLog.milliseconds(999) == "0.000")
        #expect(RequestLog.milliseconds(3_000_000_000) == "3000.000")
    }
}
