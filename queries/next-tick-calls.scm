; Finds `process.nextTick(callback)` calls given exactly one argument.
; requires: process nextTick
(call_expression
  function: (member_expression
    object: (identifier) @tick.object
    property: (property_identifier) @tick.property) @tick.callee
  arguments: (arguments
    .
    (_) @tick.callback
    .)
  (#eq? @tick.object "process")
  (#eq? @tick.property "nextTick")) @tick.call
