public import ParleyModel

extension ContentView {
    /// The `mix` JSON as text: the window, the mix against targets, hygiene lists, top posts.
    public static func renderMix(_ json: JSONValue) -> String {
        let (c, percent) = (AlignedColumns.cell, AlignedColumns.percent)
        var out = "Content from \(c(json["from"])) to \(c(json["to"])) (as of \(c(json["as_of"])))\n"
        out += "posts \(c(json["posts"])), brand posts \(c(json["brand_posts"])), "
        out += "next step share \(percent(json["next_step_share"])), best hour \(c(json["best_hour"]))\n\n"
        var mix = AlignedColumns(["kind", "mix", "target", "deviation pp"])
        for kind in mixKinds {
            mix.add([kind, percent(json["mix"]?[kind]), percent(json["target"]?[kind]), AlignedColumns.points(json["deviation_pp"]?[kind])])
        }
        out += mix.text + "\n"
        var days = AlignedColumns(["day over limit", "brand posts"])
        for d in json["days_over_limit"]?.arrayValue ?? [] { days.add([c(d["date"]), c(d["posts"])]) }
        out += days.text + "\n"
        let list = { (key: String) in
            let items = (json[key]?.arrayValue ?? []).map { c($0) }
            return items.isEmpty ? "none" : items.joined(separator: ", ")
        }
        out += "unlabeled promotions: \(list("unlabeled_promotions"))\n"
        out += "videos without captions: \(list("videos_without_captions"))\n\n"
        var top = AlignedColumns(["post", "engagement"])
        for p in json["top_posts"]?.arrayValue ?? [] { top.add([c(p["post"]), c(p["engagement"])]) }
        return out + top.text
    }

    /// The `check` JSON as text: one line per check, then the verdict.
    public static func renderCheck(_ json: JSONValue) -> String {
        let c = AlignedColumns.cell
        var table = AlignedColumns(["check", "result", "message"])
        for check in json["checks"]?.arrayValue ?? [] {
            table.add([c(check["name"]), check["ok"] == true ? "pass" : "FAIL", c(check["message"])])
        }
        return table.text + (json["ok"] == true ? "ok\n" : "not ok\n")
    }
}
