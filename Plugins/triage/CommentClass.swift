/// What a comment is, for triage.
enum CommentClass: String, Sendable, CaseIterable {
    case complaint, suggestion, question, other

    /// The keywords built into the plugin, in English, Russian, Turkish and Hebrew. Matching is
    /// case-insensitive and at the start of a word (inside words for Hebrew, whose prefixes
    /// such as ו־ and ה־ attach to words), so stems like "ужасн" match their inflections.
    static let builtInKeywords: [CommentClass: [String]] = [
        .question: [
            // English
            "how do", "how can", "how to", "how does", "why", "what is", "what's", "where", "when will",
            "is there", "is it possible", "can i", "can you", "does it", "anyone know", "need help", "help me",
            // Russian
            "как ", "почему", "зачем", "где ", "когда", "что такое", "подскажите", "можно ли", "есть ли",
            "помогите", "не понимаю",
            // Turkish
            "nasıl", "neden", "niye", "nerede", "ne zaman", "mümkün mü", "var mı", "yardım", "bilen var",
            // Hebrew
            "איך", "למה", "מתי", "איפה", "מה זה", "האם", "אפשר", "עזרה",
        ],
        .complaint: [
            // English
            "doesn't work", "does not work", "not working", "isn't working", "stopped working", "broken", "bug",
            "crash", "error", "refund", "terrible", "awful", "worst", "disappointed", "unacceptable", "still waiting",
            "never arrived", "scam", "complaint", "fix this",
            // Russian
            "не работает", "перестал", "сломал", "ошибк", "глюч", "баг", "ужасн", "отвратительн", "верните деньги",
            "возврат", "жалоба", "обман", "безобрази", "до сих пор не",
            // Turkish
            "çalışmıyor", "bozuk", "hata", "berbat", "rezalet", "şikayet", "iade", "memnun değilim", "dolandırıcı",
            "hala gelmedi", "çöktü",
            // Hebrew
            "לא עובד", "תקלה", "שבור", "באג", "גרוע", "נורא", "החזר כספי", "תלונה", "מאוכזב", "עדיין מחכה",
        ],
        .suggestion: [
            // English
            "please add", "would be nice", "would be great", "would love", "feature request", "suggest",
            "should add", "could you add", "you should", "it would be", "i wish", "idea:", "consider adding",
            // Russian
            "предлагаю", "предложение", "добавьте", "сделайте", "было бы здорово", "было бы хорошо",
            "было бы круто", "хотелось бы", "не хватает",
            // Turkish
            "öneri", "ekleyin", "eklerseniz", "eklenebilir", "olsa iyi olur", "olsa güzel olur", "keşke", "tavsiye",
            // Hebrew
            "הצעה", "מציע", "מציעה", "תוסיפו", "כדאי להוסיף", "יהיה נחמד", "יהיה מעולה", "הייתי שמח", "חסר",
        ],
    ]
}
