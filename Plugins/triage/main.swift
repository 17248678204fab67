import Foundation
import ParleyPluginProtocol

// parley-plugin-triage: reads comment.posted events, opens tickets for questions and complaints,
// proposes ideas for suggestions, flags stop words and floods; see Plugins/README.md.
var runtime = PluginRuntime(handler: TriageHandler())
exit(runtime.run())
