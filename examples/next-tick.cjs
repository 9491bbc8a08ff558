// In CommonJS, process.nextTick callbacks run before promise jobs once the
// script returns: this prints "nextTick" and then "await". (As an ES module
// the same code prints them the other way round.)
async function run() {
  await Promise.resolve();
  console.log("await");
}
run();
process.nextTick(() => console.log("nextTick"));
