; Finds `Promise.all([...])`, `Promise.allSettled([...])`, `Promise.race([...])` and
; `Promise.any([...])` called with an array literal.
; requires: Promise
(call_expression
  function: (member_expression
    object: (identifier) @combinator.object
    property: (property_identifier) @combinator.method)
  arguments: (arguments
    .
    (array) @combinator.array)
  (#eq? @combinator.object "Promise")
  (#match? @combinator.method "^(all|allSettled|race|any)$")) @combinator
