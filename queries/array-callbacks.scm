; Finds async functions passed as the first argument of the array methods that
; ignore a callback's promise (forEach) or read it as a boolean or a number.
; requires: async
(call_expression
  function: (member_expression
    object: (_) @array.receiver
    property: (property_identifier) @array.method)
  arguments: (arguments
    .
    [
      (arrow_function "async" @callback.async_keyword)
      (function_expression "async" @callback.async_keyword)
    ] @callback)
  (#match? @array.method "^(forEach|filter|some|every|find|findIndex|findLast|findLastIndex|sort|toSorted|reduce|reduceRight)$")) @array.call
