; Finds `Promise.all(xs.map(callback))` and `Promise.allSettled(...)`: one
; promise per element of `xs`, all started at once.
; requires: Promise map
(call_expression
  function: (member_expression
    object: (identifier) @fan_out.promise
    property: (property_identifier) @fan_out.method) @fan_out.callee
  arguments: (arguments
    .
    (call_expression
      function: (member_expression
        object: (_) @fan_out.items
        property: (property_identifier) @fan_out.map)
      arguments: (arguments
        .
        (_) @fan_out.callback)) @fan_out.map_call
    .)
  (#eq? @fan_out.promise "Promise")
  (#match? @fan_out.method "^(all|allSettled)$")
  (#eq? @fan_out.map "map")) @fan_out.all
