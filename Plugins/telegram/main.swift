import Foundation
import ParleyModel
import ParleyPluginProtocol

// parley-plugin-telegram: Telegram Bot API updates (set as the bot's webhook) in, Parley events
// out; see Plugins/README.md.
let token = ProcessInfo.processInfo.environment["TELEGRAM_SECRET_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
var runtime = PluginRuntime(handler: TelegramHandler(secretToken: token, clock: { Instant(seconds: Date().timeIntervalSince1970) }))
exit(runtime.run())
