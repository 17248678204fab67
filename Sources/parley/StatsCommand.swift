import ArgumentParser
import ParleyLog
import ParleyModel
import ParleyPluginHost
import ParleyProjections

/// `parley stats`: what is in a data directory.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Events, streams, bytes on disk, map size.")

    @OptionGroup var globals: GlobalOptions
    @OptionGroup(visibility: .hidden) var daemon: ServerOptions

    func run() throws {
        try daemon.refuse(for: "stats", globals)
        let log = try globals.openLog(create: false)
        let stats: LogStats
        let viewsPosition: UInt64
        let plugins: [String: UInt64]
        do {
            stats = try log.stats()
            // On read-only media without an index, no views are stored: position 0.
            viewsPosition = ViewIndex.isAvailable(beside: log) ? try ViewIndex(log: log).checkpoint() : 0
            plugins = try PluginCheckpoints(log: log).all()
        } catch { throw CommandFailure(message: error.message) }
        if globals.json {
            let pluginLags = JSONObject(plugins.mapValues { checkpoint -> JSONValue in
                ["checkpoint": .int(Int64(checkpoint)), "lag": .int(Int64(stats.events - min(checkpoint, stats.events)))]
            })
            Output.line(JSONWriter.string([
                "events": .int(Int64(stats.events)), "streams": .int(Int64(stats.streams)), "bytes": .int(Int64(stats.directoryBytes)),
                "log_bytes": .int(Int64(stats.bytes)), "used_bytes": .int(Int64(stats.usedBytes)), "map_size": .int(Int64(stats.mapSize)),
                "format": .int(Int64(EventLog.formatVersion)),
                "views": ["position": .int(Int64(viewsPosition)), "lag": .int(Int64(stats.events - min(viewsPosition, stats.events)))],
                "plugins": .object(pluginLags),
            ]))
        } else {
            Output.line("""
                data       \(log.directory) (format \(EventLog.formatVersion))
                events     \(stats.events)
                streams    \(stats.streams)
                bytes      \(stats.directoryBytes) on disk (every file of the data directory)
                log file   \(stats.bytes) bytes on disk, \(stats.usedBytes) in use
                map size   \(stats.mapSize)
                views      caught up to position \(viewsPosition) (lag \(stats.events - min(viewsPosition, stats.events)))
                """)
            for (name, checkpoint) in plugins.sorted(by: { $0.key < $1.key }) {
                Output.line("plugin     \(name): checkpoint \(checkpoint) (lag \(stats.events - min(checkpoint, stats.events)))")
            }
        }
    }
}
