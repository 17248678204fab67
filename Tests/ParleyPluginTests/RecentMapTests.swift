import Testing
@testable import ParleyPluginTelegram

/// The telegram plugin's bounded memory of threads and poll answers.
@Suite struct RecentMapTests {
    @Test func keepsTheLatestKeysAndForgetsTheOldestFirst() {
        var map = RecentMap<Int, String>(capacity: 3)
        // Enough keys to go several times past the point where forgotten keys are dropped.
        for key in 1...10 { map.set("v\(key)", for: key) }
        #expect(map.count == 3)
        #expect((1...7).allSatisfy { map[$0] == nil })
        #expect(map[8] == "v8" && map[9] == "v9" && map[10] == "v10")
        #expect(map.firstFromOldest { $0 } == "v8")
        #expect(map.firstFromOldest { $0 == "v8" ? nil : $0 } == "v9")
    }

    @Test func settingAHeldKeyChangesItsValueButNotItsAge() {
        var map = RecentMap<String, Int>(capacity: 2)
        map.set(1, for: "a")
        map.set(2, for: "b")
        map.set(10, for: "a")
        map.set(3, for: "c")
        #expect(map["a"] == nil && map["b"] == 2 && map["c"] == 3)
        #expect(map.firstFromOldest { $0 } == 2)
    }
}
