; Finds assignments that may write a value computed from the old one:
; `x = x + ...`, `x += ...`, `this.n = this.n + ...`.
[
  (assignment_expression
    left: (_) @update.target
    right: (_) @update.value)
  (augmented_assignment_expression
    left: (_) @update.target
    right: (_) @update.value)
] @update
