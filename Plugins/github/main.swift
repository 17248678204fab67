import Foundation
import ParleyPluginProtocol

// parley-plugin-github: GitHub webhooks in, Parley events out. The daemon hands every request
// to this process as a `webhook` message; see Plugins/README.md.
let secret = ProcessInfo.processInfo.environment["GITHUB_WEBHOOK_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
var runtime = PluginRuntime(handler: GitHubHandler(secret: secret))
exit(runtime.run())
