//! The structure-aware input mode: each byte picks a JavaScript token, so
//! mutations splice whole keywords, punctuators and async APIs instead of
//! bytes, and reach code shapes a byte-level mutation of the seeds rarely
//! assembles (`await` in odd places, nested callbacks, half-closed blocks).

/// Tokens that matter to the analysis and the engine, plus the punctuation
/// that glues them into statements. Order is part of the corpus format: append
/// only, or the committed token-mode inputs change meaning.
#[rustfmt::skip]
pub const TOKENS: &[&str] = &[
    // Layout.
    "\n", ";", ",", "\r\n", "\r",
    // Brackets.
    "(", ")", "{", "}", "[", "]",
    // Async and control flow.
    "async", "await", "function", "=>", "return", "try", "catch", "finally", "throw", "if", "else",
    "for", "of", "in", "while", "do", "break", "continue", "switch", "case", "default", "yield",
    "*", "new", "class", "extends", "super", "this", "static", "get", "set", "label:",
    // Declarations and operators.
    "const", "let", "var", "=", "==", "===", "!", "?", ":", "?.", "??", "&&", "||", "+", "-", "++",
    "...", ".", "void", "typeof", "delete", "import", "export", "from", "as",
    // Names the engine models.
    "Promise", "Promise.resolve", "Promise.reject", "Promise.all", "Promise.race",
    "Promise.allSettled", "Promise.any", ".then", ".catch", ".finally", "resolve", "reject",
    "setTimeout", "setInterval", "setImmediate", "clearTimeout", "queueMicrotask",
    "process.nextTick", "console.log", "console.error", "fetch", "require",
    // Plain names and values.
    "a", "b", "f", "g", "p", "x", "r", "e", "then", "0", "1", "10", "-1", "1.5", "NaN", "null",
    "undefined", "true", "false", "'A'", "\"B\"", "`t${", "}`", "`C`", "/re/", "[1, 2, 3]",
    "{ a: 1 }",
    // Comments and suppressions.
    "// note", "/*", "*/", "// ticklens-ignore-next-line", "// ticklens-ignore-file",
    // Text that is wide in UTF-16 or UTF-8.
    "'é'", "'日本'", "'😀'",
    // Whole statements the rules look for.
    "async function main() {", "await new Promise(r => setTimeout(r, 10));",
    "new Promise(async (resolve) => {", "for (const x of xs) { await f(x); }",
    "const [a, b] = await Promise.all([f(), g()]);", "return await p;",
    "queueMicrotask(() => console.log('m'));", "process.nextTick(() => console.log('t'));",
    "setTimeout(() => console.log('T'), 0);", "setImmediate(() => console.log('I'));",
];

/// The text for a token-mode input: one token per byte, separated by spaces
/// (JavaScript does not care) except around line breaks.
pub fn splice(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &byte in bytes {
        let token = TOKENS[byte as usize % TOKENS.len()];
        if !out.is_empty() && !out.ends_with('\n') && !out.ends_with('\r') {
            out.push(' ');
        }
        out.push_str(token);
    }
    out
}
