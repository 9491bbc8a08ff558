; Finds `for (...;...;...)`, `for...of` and `for...in` loops with their bodies.
[
  (for_statement body: (_) @loop.body)
  (for_in_statement body: (_) @loop.body)
] @loop
