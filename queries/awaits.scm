; Finds every `await` expression and its operand.
; requires: await
(await_expression
  "await" @await.keyword
  (_) @await.operand) @await
