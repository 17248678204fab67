import Foundation
import ParleyPluginProtocol

// parley-plugin-loop: when an idea ships, drafts the announcement owed to everyone who asked
// for it; see Plugins/README.md.
var runtime = PluginRuntime(handler: LoopHandler())
exit(runtime.run())
