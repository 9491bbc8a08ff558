; Finds every async function-like node: declarations, expressions, arrows and
; methods. `@function.async_keyword` is the `async` token, for narrow ranges.
; requires: async
[
  (function_declaration "async" @function.async_keyword)
  (function_expression "async" @function.async_keyword)
  (arrow_function "async" @function.async_keyword)
  (method_definition "async" @function.async_keyword)
] @function.async
