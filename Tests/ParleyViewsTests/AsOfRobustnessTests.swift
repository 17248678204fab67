import ParleyModel
import Testing
@testable import ParleyViews

/// A view fed events later than T must answer as if it had never seen them.
@Suite struct AsOfRobustnessTests {
    static let t = "2026-03-11T00:00:00Z"

    @Test func communityIgnoresLaterEvents() throws {
        let s = CommunityViewTests.roster
        var all = CommunityView()
        for e in s.ordered() { all.apply(e) }
        let q = s.query(Self.t, policy: CommunityViewTests.policy)
        let early = s.community(asOf: Self.t)
        #expect(try all.summary(q) == early.summary(q))
        #expect(try all.members(q) == early.members(q))
        #expect(try all.heroes(q) == early.heroes(q))
    }

    @Test func contentIgnoresLaterEvents() throws {
        let s = ContentViewTests.log
        var all = ContentView()
        for e in s.ordered() { all.apply(e) }
        let q = s.query(Self.t, policy: ContentViewTests.tokyo)
        let early = s.content(asOf: Self.t)
        #expect(try all.mix(q) == early.mix(q))
        let draft: JSONValue = ["post": "d", "kind": "engaging"]
        #expect(try all.check(draft: draft, q) == early.check(draft: draft, q))
    }

    @Test func productIgnoresLaterEvents() throws {
        for s in [ProductViewTests.backlog, ProductLoopTests.shipped] {
            var all = ProductView()
            for e in s.ordered() { all.apply(e) }
            let q = s.query(Self.t)
            let early = s.product(asOf: Self.t)
            #expect(try all.ideas(q) == early.ideas(q))
            #expect(try all.matrix(q) == early.matrix(q))
            #expect(try all.loop(q) == early.loop(q))
            #expect(try all.proposals(q) == early.proposals(q))
        }
    }

    @Test func renderersShowEveryRow() throws {
        let c = CommunityViewTests.roster
        let community = c.community(asOf: CommunityViewTests.asOf)
        let cq = c.query(CommunityViewTests.asOf, policy: CommunityViewTests.policy)
        #expect(CommunityView.renderMembers(try community.members(cq)).split(separator: "\n").count == 9)
        #expect(CommunityView.renderSummary(try community.summary(cq)).contains("moderator"))
        #expect(CommunityView.renderHeroes(try community.heroes(cq)).hasPrefix("Heroes of 2026-W14"))
        let p = ProductViewTests.backlog
        let product = p.product(asOf: ProductViewTests.asOf)
        let pq = p.query(ProductViewTests.asOf)
        #expect(ProductView.renderIdeas(try product.ideas(pq)).split(separator: "\n").count == 10)
        #expect(ProductView.renderMatrix(try product.matrix(pq)).contains("c2, z1, q9"))
        #expect(ProductView.renderLoop(try product.loop(pq)).contains("q5"))
        #expect(ProductView.renderProposals(try product.proposals(pq)).contains("2026-03"))
        let s = ContentViewTests.log
        let content = s.content(asOf: ContentViewTests.asOf)
        let q = s.query(ContentViewTests.asOf, policy: ContentViewTests.tokyo)
        #expect(ContentView.renderMix(try content.mix(q)).contains("2026-03-11"))
        // An empty list says so rather than ending the line on its label.
        let empty = ContentView.renderMix(["unlabeled_promotions": [], "videos_without_captions": ["v1", "v2"]])
        #expect(empty.contains("unlabeled promotions: none\n") && empty.contains("videos without captions: v1, v2\n"), "\(empty)")
        #expect(ContentView.renderCheck(try content.check(draft: ["post": "d", "kind": "engaging"], q)).hasSuffix("not ok\n"))
    }

    /// For people, every view shows a ratio as a percentage and a deviation as signed points,
    /// right-aligned with the numbers.
    @Test func ratiosReadAsPercentagesAndDeviationsAsSignedPoints() {
        #expect(AlignedColumns.percent(0.60417) == "60.4%" && AlignedColumns.percent(1) == "100.0%" && AlignedColumns.percent(.null) == "-")
        #expect(AlignedColumns.points(30.4167) == "+30.4" && AlignedColumns.points(-20.2083) == "-20.2")
        #expect(AlignedColumns.points(-0.04) == "0.0" && AlignedColumns.points(0) == "0.0")
        let mix = ContentView.renderMix([
            "mix": ["engaging": 0.19792, "ugc": 0.60417, "educational": 0.11458, "promotional": 0.08333],
            "target": ["engaging": 0.4, "ugc": 0.3, "educational": 0.25, "promotional": 0.05],
            "deviation_pp": ["engaging": -20.2083, "ugc": 30.4167, "educational": -13.5417, "promotional": 3.3333],
            "next_step_share": 0.76316,
        ])
        #expect(mix.contains("""
            kind           mix  target  deviation pp
            engaging     19.8%   40.0%         -20.2
            ugc          60.4%   30.0%         +30.4
            educational  11.5%   25.0%         -13.5
            promotional   8.3%    5.0%          +3.3
            """), "\(mix)")
        #expect(mix.contains("next step share 76.3%"))
        let summary = CommunityView.renderSummary(["members": 300, "core_share": 0.12333, "d7_return": 0.99333, "d30_return": .null])
        #expect(summary.contains("300       -       12.3%      99.3%           -    -\n"), "\(summary)")
        #expect(ProductView.renderLoop(["shipped": 17, "closed": 3, "closure_rate": 0.17647]).contains("17.6%"))
    }
}
