; Finds every `await_expression` and its operand. These are not all the awaits:
; tree-sitter parses `await (x).y()` as a call of a function `await` (its issue #303),
; so Rust consumers add those through `syntax::awaits` (`RuleContext::awaits`).
; requires: await
(await_expression
  "await" @await.keyword
  (_) @await.operand) @await
