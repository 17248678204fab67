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

    /// A double whose value is an integer that fits in 64 bits is written as that integer, as
    /// the parser reads it, so that equal values have equal canonical bytes.
    @Test func integralDoublesWriteAsIntegers() throws {
        for (d, text) in [(1e16, "10000000000000000"), (-0.0, "0"), (9.2e18, "9200000000000000000"), (1.5, "1.5"), (1e19, "1e+19")] {
            #expect(JSONWriter.string(.double(d)) == text)
            #expect(JSONWriter.string(try JSONParser.parse(text)) == text)
        }
    }

    /// The word-at-a-time scan stops where a byte-at-a-time one does, at every alignment.
    @Test func stringScanAgreesWithAPlainLoop() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x41, 0x7A, 0x20, 0x21, 0x22, 0x5C, 0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF, 0x5B, 0x23, 0x5D, 0x1]
        for _ in 0..<5_000 {
            let count = Int.random(in: 0...40, using: &rng)
            // Mostly plain bytes, so that runs are long enough to cross words.
            let bytes = (0..<count).map { _ in
                Int.random(in: 0..<10, using: &rng) == 0 ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0x23...0x5B, using: &rng)
            }
            let start = Int.random(in: 0...count, using: &rng)
            var end = start
            while end < count, bytes[end] != 0x22, bytes[end] != 0x5C, bytes[end] >= 0x20 { end += 1 }
            let ascii = bytes[start..<end].allSatisfy { $0 < 0x80 }
            let scanned = bytes.withUnsafeBufferPointer { StringScan.plainRun(in: $0, from: start) }
            #expect(scanned.end == end, "\(bytes) from \(start)")
            #expect(scanned.ascii == ascii, "\(bytes) from \(start)")
        }
    }

    @Test func duplicateKeysAreFoundInAnyOrderAtTheLaterKey() {
        for (text, offset) in [(#"{"b":1,"a":2,"b":3}"#, 13), (#"{"a":1,"a":2}"#, 7), (#"{"c":1,"b":2,"a":3,"c":4}"#, 19)] {
            do {
                _ = try JSONParser.parse(text)
                Issue.record("expected a duplicate key in \(text)")
            } catch {
                #expect(error.reason.contains("duplicate key"), "\(text)")
                #expect(error.offset == offset, "\(text)")
            }
        }
    }

    /// Short strings are compared by a loop, long ones by memcmp: both in the order of their
    /// bytes, whatever the length of what they share.
    @Test func utf8PrecedesIsTheOrderOfTheBytesAtEveryLength() {
        var rng = SystemRandomNumberGenerator()
        let tails = ["", "a", "b", "B", "é", "e\u{301}", "\u{7F}", "ab", "zz"]
        for _ in 0..<5_000 {
            let shared = String(repeating: "k", count: Int.random(in: 0...24, using: &rng))
            let a = shared + tails.randomElement(using: &rng)! + tails.randomElement(using: &rng)!
            let b = shared + tails.randomElement(using: &rng)! + tails.randomElement(using: &rng)!
            #expect(a.utf8Precedes(b) == Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)), "\(a) \(b)")
        }
    }

    /// Small objects are sorted by insertion, large ones by sorting indices: both give the
    /// members in bytewise key order, and both report the same duplicate (once keys come out of
    /// order: the later occurrence of the smallest key that appears twice), as a stable sort of
    /// the members does.
    @Test func objectsOfEverySizeSortAndReportDuplicatesAlike() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet = ["a", "b", "B", "é", "e\u{301}", "0", "ab", "ba"]
        for _ in 0..<2_000 {
            let count = Int.random(in: 1...40, using: &rng)
            let keys = (0..<count).map { _ in (0..<Int.random(in: 1...3, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined() }
            var text = "{"
            var offsets: [Int] = []
            for (i, key) in keys.enumerated() {
                if i > 0 { text += "," }
                offsets.append(text.utf8.count)
                text += "\"\(key)\":\(i)"
            }
            text += "}"
            let order = keys.indices.sorted { a, b in
                let (x, y) = (Array(keys[a].utf8), Array(keys[b].utf8))
                return x.lexicographicallyPrecedes(y) || (x == y && a < b)
            }
            // While keys come in order, a key equal to the one before is reported at once;
            // after the first key out of order, the sort's first pair of equal keys is.
            let firstOutOfOrder = keys.indices.dropFirst().first { !Array(keys[$0 - 1].utf8).lexicographicallyPrecedes(Array(keys[$0].utf8)) }
            let duplicate: Int? =
                if let i = firstOutOfOrder, keys[i - 1].utf8.elementsEqual(keys[i].utf8) { i }
                else { zip(order, order.dropFirst()).first { keys[$0.0].utf8.elementsEqual(keys[$0.1].utf8) }?.1 }
            do {
                guard case .object(let object) = try JSONParser.parse(text) else { Issue.record("not an object: \(text)"); continue }
                #expect(duplicate == nil, "\(text)")
                #expect(object.keys.map { Array($0.utf8) } == order.map { Array(keys[$0].utf8) }, "\(text)")
                #expect(object.members.map(\.value) == order.map { .int(Int64($0)) }, "\(text)")
            } catch {
                #expect(error.offset == duplicate.map { offsets[$0] }, "\(text)")
            }
        }
    }

    @Test func objectsKeepTheirMembersInBytewiseKeyOrder() throws {
        // "é" precomposed and decomposed are canonically equivalent (`==` for String) but are
        // different keys by their bytes, which is how the spec orders and identifies them.
        let precomposed = "\u{E9}", decomposed = "e\u{301}"
        let v = try JSONParser.parse(#"{"z":1,"\#(precomposed)":2,"\#(decomposed)":3,"B":4,"a":5}"#)
        guard case .object(let o) = v else { Issue.record("not an object"); return }
        #expect(o.keys == ["B", "a", decomposed, "z", precomposed])
        #expect(o[precomposed] == 2 && o[decomposed] == 3)
        #expect(JSONWriter.string(v) == #"{"B":4,"a":5,"e\#u{301}":3,"z":1,"\#u{E9}":2}"#)
    }

    @Test func objectEditsKeepTheOrderInLargeAndSmallObjects() {
        for size in [3, 40] {
            var o = JSONObject()
            let keys = (0..<size).map { "k\(($0 * 7919) % size)" }
            for (i, key) in keys.enumerated() { o[key] = .int(Int64(i)) }
            #expect(o.count == size)
            #expect(o.keys == keys.sorted { $0.utf8Precedes($1) })
            for (i, key) in keys.enumerated() { #expect(o[key] == .int(Int64(i))) }
            o["k1"] = Optional<JSONValue>.none  // (a bare `nil` would be JSONValue's null literal)
            #expect(!o.keys.contains("k1") && o.count == size - 1)
            #expect(o.removeValue(forKey: "k0") != nil && !o.keys.contains("k0"))
            #expect(o.updateValue(.bool(true), forKey: "k2") == .int(Int64(keys.firstIndex(of: "k2")!)))
            #expect(o["missing"].map { _ in true } ?? false == false)
            // Equal objects compare and hash alike however they were built.
            let rebuilt = JSONObject(o.reversed())
            #expect(rebuilt == o && rebuilt.hashValue == o.hashValue)
        }
    }
}
