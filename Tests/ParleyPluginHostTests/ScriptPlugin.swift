import Foundation
import ParleyModel

/// A plugin written in Python at test time: one script whose behaviour is chosen with the
/// environment variable `MODE`, recording what it receives as JSON Lines in the file `OUT`.
///
/// Modes: `good` (the protocol as Plugins/README.md describes it: opens a ticket for every
/// comment containing "help"), `crash` (exits 3 after reading hello), `silent` (never answers
/// hello), `hang` (answers hello, then stops reading), `flood` (answers hello, then writes
/// garbage lines without end), `bad-emit` (like `good`, and after `caught_up` emits an invalid
/// event).
enum ScriptPlugin {
    static let source = #"""
    import json, os, sys, time
    mode = os.environ.get("MODE", "good")
    out = open(os.environ["OUT"], "a")
    def record(kind, **kw):
        kw["kind"] = kind; kw["at"] = time.time()
        out.write(json.dumps(kw) + "\n"); out.flush()
    def send(msg):
        sys.stdout.write(json.dumps(msg) + "\n"); sys.stdout.flush()

    record("start", pid=os.getpid())
    hello = json.loads(sys.stdin.readline())
    record("hello", checkpoint=hello["checkpoint"], config=hello["config"], name=hello["name"])
    if mode == "crash":
        sys.stderr.write("boom\n"); sys.stderr.flush(); sys.exit(3)
    if mode == "silent":
        time.sleep(3600)
    send({"type": "hello", "protocol": 1, "subscribe": ["comment.posted"]})
    if mode == "hang":
        time.sleep(3600)
    if mode == "flood":
        while True:
            sys.stdout.write("garbage that is not JSON\n"); sys.stdout.flush()
    pending, handled, last = {}, hello["checkpoint"], hello["checkpoint"]
    def checkpoint():
        global last
        target = min([handled] + [p - 1 for p in pending.values()])
        if target > last:
            last = target; send({"type": "checkpoint", "position": target})
    for line in sys.stdin:
        if not line.strip(): continue
        msg = json.loads(line); t = msg.get("type")
        if t == "event":
            e = msg["event"]; d = e["data"]
            record("event", position=e["position"], type=e["type"])
            if "help" in d.get("text", "").lower():
                ref = "event-%d" % e["position"]; pending[ref] = e["position"]
                send({"type": "emit", "ref": ref, "events": [{"id": "helpbot:" + d["comment"],
                      "stream": "ticket:helpbot-" + d["comment"], "type": "ticket.opened", "time": e["time"],
                      "data": {"ticket": "helpbot-" + d["comment"], "member": d["author"], "origin": "comment"}}]})
            handled = e["position"]; checkpoint()
        elif t in ("emitted", "rejected"):
            record(t, ref=msg["ref"], positions=msg.get("positions"), error=msg.get("error"))
            pending.pop(msg["ref"], None); checkpoint()
        elif t == "caught_up":
            record("caught_up", position=msg["position"])
            handled = max(handled, msg["position"]); checkpoint()
            if mode == "bad-emit":
                send({"type": "emit", "ref": "bad-1", "events": [{"id": "bad:1", "stream": "ticket:x",
                      "type": "ticket.opened", "time": "2026-03-02T09:00:00Z", "data": {"member": "m1"}}]})
        elif t == "webhook":
            record("webhook", id=msg["id"])
            send({"type": "ack", "webhook": msg["id"], "status": 202})
        elif t == "tick":
            record("tick", now=msg["now"])
    """#

    /// The script written to `directory`, with the python3 found on PATH in its first line.
    static func write(to directory: URL) throws -> String {
        let path = directory.appendingPathComponent("plugin.py").path
        try writeExecutable("#!\(python3())\n" + source + "\n", to: path)
        return path
    }

    /// Writes `text` to an executable file at `path` while no process starts: a child started
    /// meanwhile would hold the file open for writing, and running it would fail (text file busy).
    static func writeExecutable(_ text: String, to path: String) throws {
        try ProcessLaunch.whileNoneStarts {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
    }

    /// The python3 interpreter: the first on PATH that is not a shell shim, else /usr/bin/python3.
    static func python3() -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.contains("shims") {
            let candidate = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/python3"
    }

    /// The records the script wrote to `file`, oldest first.
    static func records(_ file: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// The records of one `kind`.
    static func records(_ file: String, kind: String) -> [[String: Any]] {
        records(file).filter { $0["kind"] as? String == kind }
    }
}
