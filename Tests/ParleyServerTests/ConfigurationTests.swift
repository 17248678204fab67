import Foundation
import ParleyModel
import ParleyConfiguration
import ParleyPluginHost
import ParleyServer
import Testing

/// The YAML configuration: every key read, every mistake named.
@Suite struct ConfigurationTests {
    static let full = """
    listen: 0.0.0.0:8080
    data: /var/lib/parley
    tokens:
      - name: github-connector
        secret_sha256: "\(String(repeating: "ab", count: 32))"
        scopes: [append, read]
        streams: ["ticket:", "post:"]
      - name: ops
        secret: "a-long-enough-secret"
        scopes: [admin]
    plugins:
      - name: github
        command: ["/usr/lib/parley/parley-plugin-github", "--verbose"]
        env: {GITHUB_WEBHOOK_SECRET: "s3cret"}
        config: {ideas_category: "Ideas", threshold: 3, ratio: 0.5, on: true, none: null, list: [1, "a"]}
        from: 10
        tick_s: 60
    """

    @Test func readsEveryKey() throws {
        let file = try ConfigurationFile(yaml: Self.full, path: "parley.yaml")
        #expect(file.listen == ListenAddress(host: "0.0.0.0", port: 8080))
        #expect(file.data == "/var/lib/parley")
        #expect(file.tokens.map(\.name) == ["github-connector", "ops"])
        #expect(file.tokens[0].scopes == [.append, .read])
        let unnamed = try ConfigurationFile(yaml: "tokens:\n  - secret: \"a\"\n  - secret: \"b\"\n", path: "parley.yaml")
        #expect(unnamed.tokens.map(\.name) == ["token-1", "token-2"])
        #expect(file.tokens[0].streams == ["ticket:", "post:"])
        #expect(file.tokens[0].secretDigest == [UInt8](repeating: 0xAB, count: 32))
        #expect(file.tokens[1].grants(.read) && file.tokens[1].grants(.append))
        #expect(TokenBook(file.tokens).token(forSecret: Array("a-long-enough-secret".utf8))?.name == "ops")
        let plugin = try #require(file.plugins.first)
        #expect(plugin.command == ["/usr/lib/parley/parley-plugin-github", "--verbose"])
        #expect(plugin.environment == ["GITHUB_WEBHOOK_SECRET": "s3cret"])
        #expect(plugin.config["ideas_category"] == .string("Ideas"))
        #expect(plugin.config["threshold"] == .int(3))
        #expect(plugin.config["ratio"] == .double(0.5))
        #expect(plugin.config["on"] == .bool(true))
        #expect(plugin.config["none"] == .null)
        #expect(plugin.config["list"] == .array([.int(1), .string("a")]))
        #expect(plugin.from == 10)
        #expect(plugin.tickSeconds == 60)
        #expect(try ConfigurationFile(yaml: "", path: "empty.yaml").tokens.isEmpty)
    }

    /// Every key has a default (`surfaces.md`): empty lists, scopes, a short test secret, and
    /// a plugin's command (its own executable, parley-plugin-NAME, beside the program).
    @Test func everyKeyHasADefault() throws {
        let empty = try ConfigurationFile(yaml: "listen:\ndata:\ntokens:\nplugins:\n", path: "parley.yaml")
        #expect(empty.tokens.isEmpty && empty.plugins.isEmpty)
        let file = try ConfigurationFile(yaml: """
            tokens:
              - name: t
                secret: "short"
            plugins:
              - name: sla-watch
            """, path: "parley.yaml")
        #expect(file.tokens[0].scopes == [.append, .read])
        let unnamed = try ConfigurationFile(yaml: "tokens:\n  - secret: \"a\"\n  - secret: \"b\"\n", path: "parley.yaml")
        #expect(unnamed.tokens.map(\.name) == ["token-1", "token-2"])
        #expect(file.tokens[0].streams == nil)
        #expect(file.plugins[0].command.first?.hasSuffix("/parley-plugin-sla-watch") == true)
        #expect(FileManager.default.isExecutableFile(atPath: file.plugins[0].command[0]))
    }

    @Test(arguments: [
        ("listen: 127.0.0.1:7420\nlisen: x\n", "lisen"),
        ("tokens:\n  - name: a\n    secret: \"0123456789abcdefg\"\n    scopes: [read, wirte]\n", "\"wirte\" is not a scope"),
        ("tokens:\n  - name: a\n    secret: \"0123456789abcdefg\"\n    scopes: [read]\n  - name: a\n    secret: \"0123456789abcdefh\"\n    scopes: [read]\n", "token named \"a\" is already configured"),
        ("tokens:\n  - name: ro\n    secret: \"0123456789abcdefg\"\n    scopes: [read]\n  - name: rw\n    secret_sha256: \"\(TokenSpec(name: "x", secret: "0123456789abcdefg", scopes: []).secretDigest.map { String(format: "%02x", $0) }.joined())\"\n    scopes: [admin]\n", "token \"rw\" has the same secret as token \"ro\""),
        ("tokens:\n  - name: a\n    scopes: [read]\n", "needs secret_sha256"),
        ("tokens:\n  - name: a\n    secret_sha256: \"abc\"\n    scopes: [read]\n", "64 hex digits"),
        ("tokens:\n  - name: a\n    secret: \"0123456789abcdefg\"\n    scopes: [read]\n    prefixes: [x]\n", "tokens[0].prefixes"),
        ("plugins:\n  - name: g\n    command: /bin/true\n", "plugins[0].command"),
        ("plugins:\n  - name: no-such-plugin\n", "no executable parley-plugin-no-such-plugin"),
        ("plugins:\n  - name: g\n    command: [\"/bin/true\"]\n    from: -1\n", "plugins[0].from"),
        ("plugins:\n  - name: g\n    command: [\"/bin/true\"]\n    env: {A: [1]}\n", "plugins[0].env.A"),
        ("plugins:\n  - name: g\n    command: [\"/bin/true\"]\n    config: [1]\n", "plugins[0].config"),
        ("plugins:\n  - name: g\n    command: [\"/bin/true\"]\n    tick_s: soon\n", "plugins[0].tick_s"),
        ("plugins:\n  - name: g\n    command: [\"/bin/true\"]\n  - name: g\n    command: [\"/bin/true\"]\n", "plugin named \"g\""),
        ("listen: nowhere\n", "listen"),
        ("listen: [1\n", "not valid YAML"),
    ])
    func refusesWithTheKeyNamed(yaml: String, expected: String) {
        do {
            _ = try ConfigurationFile(yaml: yaml, path: "parley.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(error.description.hasPrefix("parley.yaml"), "\(error.description)")
            #expect(!error.description.contains("0123456789abcdef"), "a secret leaked: \(error.description)")
        }
    }

    @Test func listenAddresses() throws {
        #expect(try ListenAddress(parsing: "[::1]:7420", source: "--listen") == ListenAddress(host: "::1", port: 7420))
        #expect(try ListenAddress(parsing: "localhost:0", source: "--listen").port == 0)
        #expect(throws: ConfigurationError.self) { try ListenAddress(parsing: "localhost:99999", source: "--listen") }
        #expect(throws: ConfigurationError.self) { try ListenAddress(parsing: ":80", source: "--listen") }
    }
}
