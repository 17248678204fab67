import Crypto
import Foundation

/// `X-Hub-Signature-256` computed in the test with swift-crypto, apart from the plugin's code.
enum GitHubSignature {
    static func header(_ body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
