; Finds every `await` expression and its operand.
(await_expression
  "await" @await.keyword
  (_) @await.operand) @await
