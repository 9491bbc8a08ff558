; Finds the module specifiers a file names with a string literal: `require("x")`,
; `import ... from "x"`, `import "x"`, `export ... from "x"` and `import("x")`.
; The capture's name says which loader reads it (`require` or an `import`).
(call_expression
  function: (identifier) @import.require_callee
  arguments: (arguments
    .
    (string) @import.require)
  (#eq? @import.require_callee "require"))

(call_expression
  function: (import)
  arguments: (arguments
    .
    (string) @import.dynamic))

(import_statement
  source: (string) @import.static)

(export_statement
  source: (string) @import.static)
