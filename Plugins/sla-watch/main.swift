import Foundation
import ParleyPluginProtocol

// parley-plugin-sla-watch: escalates open tickets whose first response falls due soon or is
// overdue, once per ticket; see Plugins/README.md.
var runtime = PluginRuntime(handler: SLAWatchHandler())
exit(runtime.run())
