internal import Foundation

/// The executable of a plugin whose configuration names no command: `parley-plugin-NAME`
/// (`surfaces.md`, "Programs"), beside the running `parley` or `parleyd` (where the build and
/// `ops/install` put them all), else the first on `PATH`.
public enum PluginExecutable {
    /// The file name of plugin `name`'s executable.
    public static func fileName(of name: String) -> String { "parley-plugin-" + name }

    /// The path of plugin `name`'s executable, or nil when there is none.
    public static func locate(_ name: String) -> String? {
        let file = fileName(of: name)
        var directories: [String] = []
        if let own = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent().path { directories.append(own) }
        directories += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in directories where !directory.isEmpty {
            let path = directory + "/" + file
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// The command of plugin `name` when its configuration gives none.
    ///
    /// - Throws: ``PluginHostError`` saying where it looked.
    public static func defaultCommand(of name: String) throws(PluginHostError) -> [String] {
        guard let path = locate(name) else {
            throw PluginHostError("plugin \"\(name)\" has no command, and no executable \(fileName(of: name)) is beside this program or on PATH")
        }
        return [path]
    }
}
