; Finds every `return <value>` statement, its keyword and its value. The
; return-without-await-in-try rule keeps those inside a `try` of an async function.
(return_statement
  "return" @return.keyword
  (_) @return.value) @return
