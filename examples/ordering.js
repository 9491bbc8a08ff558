// `await` suspends one function, not the program: this prints A, D, B, C.
//
//   node examples/ordering.js
//   ticklens order examples/ordering.js
//
// "A" runs on the caller's stack; at the `await` the function returns to its
// caller, which prints "D"; "B" and "C" run later, in a microtask.
async function example() {
  console.log("A");
  const val = await Promise.resolve("B");
  console.log(val);
  console.log("C");
}
example();
console.log("D");
