// Retention probe for tests/retention.rs: the generated async functions follow
// this prelude, and the driver at the end runs them one at a time under
// Node 24. Each function awaits `pending(k)`, a promise kept pending while the
// driver forces collections; then the driver prints which of the values
// created so far were collected, and releases the function.
"use strict";
require("v8").setFlagsFromString("--expose-gc");
const gc = require("vm").runInNewContext("gc");
const freed = new Set();
const registered = [];
const registry = new FinalizationRegistry((token) => freed.add(token));
// A property store, not a call: an argument slot of the suspended frame
// could itself keep a copy of the value alive and fake the result.
const probe = {
  set value(v) {
    registry.register(v, v.t);
  },
};
function mk(t) {
  const value = { t, pad: new Array(64).fill(t) };
  probe.value = value;
  registered.push(t);
  return value;
}
// An array registered like `mk`'s objects: an iterable a loop can hold.
function mkList(t, ...items) {
  const value = items;
  value.t = t;
  probe.value = value;
  registered.push(t);
  return value;
}
function helper(t) {
  const big = mk(t);
  return big.t.length;
}
function use() {}
const yes = true;
const no = false;
let waiting = null;
function pending(k) {
  return new Promise((resolve) => {
    waiting = { k, resolve };
  });
}
const macrotask = () => new Promise((resolve) => setTimeout(resolve, 0));
async function collect() {
  for (let i = 0; i < 4; i++) {
    gc();
    await macrotask();
  }
}
async function drive(name, start) {
  let done = false;
  start().then(
    () => (done = true),
    (e) => {
      done = true;
      console.log(JSON.stringify({ f: name, error: String(e) }));
    },
  );
  for (;;) {
    await macrotask();
    if (waiting) {
      const { k, resolve } = waiting;
      waiting = null;
      await collect();
      const alive = registered.filter((t) => !freed.has(t));
      const gone = registered.filter((t) => freed.has(t));
      console.log(JSON.stringify({ f: name, k, alive, gone }));
      resolve();
    } else if (done) {
      return;
    }
  }
}
