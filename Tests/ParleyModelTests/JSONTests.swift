import Testing
@testable import ParleyModel

@Suite struct JSONTests {
    @Test func parsesAndWritesCanonically() throws {
        let v = try JSONParser.parse(#" {"b": [1, 2.5, true, null], "a": "x\u00e9\n", "c": {"z": 1.0, "y": -0}} "#)
        #expect(JSONWriter.string(v) == #"{"a":"xé\n","b":[1,2.5,true,null],"c":{"y":0,"z":1}}"#)
    }

    @Test func numbersCompareByValue() throws {
        #expect(try JSONParser.parse("1") == JSONParser.parse("1.0"))
        #expect(try JSONParser.parse("1e2") == JSONValue.int(100))
        #expect(try JSONParser.parse("0.1") != JSONParser.parse("0.2"))
        #expect(try JSONParser.parse(#"{"a":1}"#) == JSONParser.parse(#"{"a":1.00}"#))
    }

    @Test func surrogatePairsAndEscapes() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00\/""#) == .string("😀/"))
        #expect(JSONWriter.string(.string("a\"b\\c\u{01}")) == #""a\"b\\c\u0001""#)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "tru", "\"abc", "{\"a\":1}x", "{\"a\":1,\"a\":2}",
        "\"\\x\"", "\"\\ud800\"", "nul", "[1 2]", "{'a':1}", "\"a\u{01}\"",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(bytes) }
    }

    @Test func errorNamesTheOffset() {
        do {
            _ = try JSONParser.parse("[1, x]")
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 4)
            #expect(error.description.contains("byte 5"))
        }
    }

    @Test func integersWriteExactly() {
        for i: Int64 in [0, 7, -7, 10, 1_000_000, .max, .min, -9_007_199_254_740_993] {
            #expect(JSONWriter.string(.int(i)) == String(i))
        }
    }
}
