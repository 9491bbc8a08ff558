; Finds `new Promise(executor)` whose only argument is a function: the
; candidates for a wrapper around a promise that already exists.
; requires: Promise
(new_expression
  constructor: (identifier) @wrap.constructor
  arguments: (arguments
    .
    [
      (arrow_function)
      (function_expression)
    ] @wrap.executor
    .)
  (#eq? @wrap.constructor "Promise")) @wrap.new
