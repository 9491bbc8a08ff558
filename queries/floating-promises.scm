; Finds expression statements that evaluate a call or a `new` and drop the
; result: the candidates for a promise created and never observed.
(expression_statement
  [
    (call_expression)
    (new_expression)
    (parenthesized_expression)
  ] @dropped.expression) @dropped.statement
