import Crypto

/// GitHub's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`
/// keyed with the webhook secret.
struct GitHubSignature {
    /// The secret shared with GitHub.
    let secret: String

    /// The header value GitHub would send for `body`.
    func header(for body: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + mac.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Why `header` does not sign `body`, or `nil` when it does. Compares in constant time.
    func problem(header: String?, body: [UInt8]) -> String? {
        guard let header else { return "the X-Hub-Signature-256 header is missing" }
        guard header.hasPrefix("sha256="), let mac = Self.bytes(hex: header.dropFirst(7)), mac.count == 32 else {
            return "the X-Hub-Signature-256 header is not of the form sha256=<64 hex digits>"
        }
        let key = SymmetricKey(data: Array(secret.utf8))
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key) else {
            return "the X-Hub-Signature-256 signature does not match the body"
        }
        return nil
    }

    private static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = nibble(digits[i]), let lo = nibble(digits[i + 1]) else { return nil }
            result.append(hi << 4 | lo)
            i += 2
        }
        return result
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
