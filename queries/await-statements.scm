; Finds statements that are one `await`: `const a = await f();`, `let [a] = await f();`,
; `var a = await f();` (one declarator) and `await f();`. sequential-awaits groups
; consecutive ones.
; tree-sitter parses `await (x).y()` as a call of a function `await` (its issue #303):
; such statements are captured as `@await_statement.chain`, and the rule keeps those
; that `syntax::awaits` reads as awaits (in async code).
; requires: await
[
  (lexical_declaration
    .
    (variable_declarator
      name: (_) @await_statement.binding
      value: [
        (await_expression
          "await" @await_statement.keyword
          (_) @await_statement.operand)
        ([(call_expression) (member_expression) (subscript_expression)] @await_statement.chain
          (#match? @await_statement.chain "^await\\s*[(\\[`]"))
      ])
    .)
  (variable_declaration
    .
    (variable_declarator
      name: (_) @await_statement.binding
      value: [
        (await_expression
          "await" @await_statement.keyword
          (_) @await_statement.operand)
        ([(call_expression) (member_expression) (subscript_expression)] @await_statement.chain
          (#match? @await_statement.chain "^await\\s*[(\\[`]"))
      ])
    .)
  (expression_statement
    [
      (await_expression
        "await" @await_statement.keyword
        (_) @await_statement.operand)
      ([(call_expression) (member_expression) (subscript_expression)] @await_statement.chain
        (#match? @await_statement.chain "^await\\s*[(\\[`]"))
    ])
] @await_statement
