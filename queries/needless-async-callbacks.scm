; Finds async functions passed to `xs.map(...)` inside `Promise.all(...)`:
; the candidates for an `async` that only wraps each result in a promise.
; requires: Promise async map
(call_expression
  function: (member_expression
    object: (identifier) @all.promise
    property: (property_identifier) @all.method)
  arguments: (arguments
    .
    (call_expression
      function: (member_expression
        property: (property_identifier) @map.method)
      arguments: (arguments
        .
        [
          (arrow_function "async" @callback.async_keyword)
          (function_expression "async" @callback.async_keyword)
        ] @callback
        .)) @map.call
    .)
  (#eq? @all.promise "Promise")
  (#eq? @all.method "all")
  (#eq? @map.method "map")) @all.call
