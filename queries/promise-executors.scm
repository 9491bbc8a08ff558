; Finds executors passed to `new Promise(...)` that are themselves async.
; requires: Promise async
(new_expression
  constructor: (identifier) @promise.constructor
  (#eq? @promise.constructor "Promise")
  arguments: (arguments
    .
    [
      (arrow_function "async" @executor.async_keyword)
      (function_expression "async" @executor.async_keyword)
    ] @executor)) @promise.new
