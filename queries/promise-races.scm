; Finds `Promise.race([a, b])` over a two-element array literal: the shape of
; a hand-made timeout.
; requires: Promise race
(call_expression
  function: (member_expression
    object: (identifier) @race.promise
    property: (property_identifier) @race.method) @race.callee
  arguments: (arguments
    .
    (array
      .
      (_) @race.first
      .
      (_) @race.second
      .)
    .)
  (#eq? @race.promise "Promise")
  (#eq? @race.method "race")) @race.call
