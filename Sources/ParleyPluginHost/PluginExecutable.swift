internal import Foundation

/// The executable of a plugin whose configuration names no command: `parley-plugin-NAME`
/// (`surfaces.md`, "Programs"), beside the running `parley` or `parleyd` (where the build puts
/// them all), else in `../lib/parley` from there (`/usr/bin/parleyd` and
/// `/usr/lib/parley/parley-plugin-github`, as the example configuration has them), else the
/// first on `PATH`.
public enum PluginExecutable {
    /// The file name of plugin `name`'s executable.
    public static func fileName(of name: String) -> String { "parley-plugin-" + name }

    /// The path of plugin `name`'s executable, or nil when there is none.
    public static func locate(_ name: String) -> String? {
        let file = fileName(of: name)
        var directories: [String] = []
        if let own = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent() {
            directories.append(own.path)
            directories.append(own.deletingLastPathComponent().appendingPathComponent("lib/parley").path)
        }
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
            throw PluginHostError("plugin \"\(name)\" has no command, and no executable \(fileName(of: name)) is beside this program, in ../lib/parley from it, or on PATH")
        }
        return [path]
    }
}
