; Finds statements that are one `await`: `const a = await f();`, `let [a] = await f();`,
; `var a = await f();` (one declarator) and `await f();`. sequential-awaits groups
; consecutive ones.
; requires: await
[
  (lexical_declaration
    .
    (variable_declarator
      name: (_) @await_statement.binding
      value: (await_expression
        "await" @await_statement.keyword
        (_) @await_statement.operand))
    .)
  (variable_declaration
    .
    (variable_declarator
      name: (_) @await_statement.binding
      value: (await_expression
        "await" @await_statement.keyword
        (_) @await_statement.operand))
    .)
  (expression_statement
    (await_expression
      "await" @await_statement.keyword
      (_) @await_statement.operand))
] @await_statement
