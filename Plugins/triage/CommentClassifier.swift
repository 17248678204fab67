import Foundation

/// Classifies comment texts with keyword rules and finds stop words.
///
/// Each keyword found scores 2 for its class and a question mark scores 1 for `question`; the
/// class with the highest score wins, ties going to complaint, then suggestion, then question.
/// Nothing found is `other`.
struct CommentClassifier: Sendable {
    /// Keywords per class, lowercased.
    let keywords: [CommentClass: [String]]
    /// Words that get a comment flagged, lowercased.
    let stopWords: [String]

    /// Creates a classifier; `extra` keywords are added to the built-in ones unless
    /// `builtIn` is false.
    init(extra: [CommentClass: [String]] = [:], builtIn: Bool = true, stopWords: [String] = []) {
        var keywords: [CommentClass: [String]] = builtIn ? CommentClass.builtInKeywords : [:]
        for (kind, words) in extra { keywords[kind, default: []].append(contentsOf: words) }
        self.keywords = keywords.mapValues { $0.map(Self.folded).filter { !$0.isEmpty } }
        self.stopWords = stopWords.map(Self.folded).filter { !$0.isEmpty }
    }

    /// The class of `text`.
    ///
    /// - Complexity: O(*k* · *n*) for *k* keywords and a text of length *n*.
    func classify(_ text: String) -> CommentClass {
        let lower = Self.folded(text)
        var scores: [CommentClass: Int] = [:]
        for (kind, words) in keywords {
            for word in words where Self.contains(lower, word) { scores[kind, default: 0] += 2 }
        }
        if lower.contains("?") || lower.contains("¿") || lower.contains("؟") { scores[.question, default: 0] += 1 }
        var best = CommentClass.other
        var bestScore = 0
        for kind in [CommentClass.complaint, .suggestion, .question] where scores[kind, default: 0] > bestScore {
            best = kind
            bestScore = scores[kind, default: 0]
        }
        return best
    }

    /// The first stop word in `text`, if any.
    func stopWord(in text: String) -> String? {
        let lower = Self.folded(text)
        return stopWords.first { Self.contains(lower, $0) }
    }

    /// `text` as keywords are compared: lowercased, with the Turkish i's made one. Swift's
    /// lowercasing knows no locale: "İ" becomes "i" with a combining dot and "I" becomes "i",
    /// while "ı" stays, so "ÇALIŞMIYOR" missed "çalışmıyor" and "İADE" missed "iade".
    static func folded(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.lowercased().unicodeScalars {
            switch scalar.value {
            case 0x0307: continue  // the dot of a lowercased İ
            case 0x0131: scalars.append("i")  // ı
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// Whether `word` occurs in `text` at the start of a word (anywhere for Hebrew words).
    static func contains(_ text: String, _ word: String) -> Bool {
        if let first = word.unicodeScalars.first, (0x0590...0x05FF).contains(first.value) {
            return text.contains(word)
        }
        var searchStart = text.startIndex
        while let range = text.range(of: word, range: searchStart..<text.endIndex) {
            if range.lowerBound == text.startIndex { return true }
            let before = text[text.index(before: range.lowerBound)]
            if !before.isLetter && !before.isNumber { return true }
            searchStart = text.index(after: range.lowerBound)
        }
        return false
    }
}
