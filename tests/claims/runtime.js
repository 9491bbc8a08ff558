// Measuring instrument prepended to every program of tests/claims.rs (see
// /work/shared/measuring-claims.md). It only inserts synchronous code: a
// generation counter re-queued with the raw queueMicrotask, marks at each
// call's entry and each await's resumption, and a reaction on promises whose
// settling a claim counts from (a reaction adds a job but shifts no other
// job's generation). Everything is reported on stderr at exit.
const __T = (() => {
  const rawQueueMicrotask = globalThis.queueMicrotask;
  const rawNextTick = process.nextTick;
  const rawSetTimeout = globalThis.setTimeout;
  const rawSetInterval = globalThis.setInterval;
  const rawSetImmediate = globalThis.setImmediate;
  const rawThen = Promise.prototype.then;
  const rawWrite = process.stderr.write.bind(process.stderr);
  // Generations without program activity after which the counter stops, so
  // the microtask queue can drain and the event loop go on.
  const IDLE_GENERATIONS = 8;
  const state = {
    phase: -1,
    phaseKinds: [],
    generation: 0,
    counting: false,
    lastActivity: 0,
    calls: [],
    resumes: [],
    settles: [],
    operands: [],
    lastEntered: new Map(),
    errors: [],
  };
  function counter() {
    state.generation += 1;
    if (state.generation - state.lastActivity > IDLE_GENERATIONS) {
      state.counting = false;
    } else {
      rawQueueMicrotask(counter);
    }
  }
  // A synchronous start: the counter is queued first in its phase.
  function startPhase(kind) {
    if (state.counting) return;
    state.phase += 1;
    state.phaseKinds.push(kind);
    state.generation = 0;
    state.lastActivity = 0;
    state.counting = true;
    rawQueueMicrotask(counter);
  }
  function activity() {
    if (state.counting) state.lastActivity = state.generation;
  }
  function now(what) {
    if (!state.counting) state.errors.push(`${what} outside a counted phase`);
    activity();
    return [state.phase, state.generation];
  }
  const v8 = process.getBuiltinModule("node:v8");
  v8.promiseHooks.createHook({ init: activity, before: activity, after: activity, settled: activity });
  process.nextTick = function nextTick(callback, ...args) {
    return rawNextTick(() => {
      startPhase("nextTick");
      callback(...args);
    });
  };
  globalThis.queueMicrotask = function queueMicrotask(callback) {
    activity();
    return rawQueueMicrotask(() => {
      activity();
      callback();
    });
  };
  const timer = (raw, kind) =>
    function (callback, delay, ...args) {
      return raw(
        function (...given) {
          startPhase(kind);
          return callback.apply(this, given);
        },
        delay,
        ...args,
      );
    };
  globalThis.setTimeout = timer(rawSetTimeout, "timer");
  globalThis.setInterval = timer(rawSetInterval, "timer");
  globalThis.setImmediate = function setImmediate(callback, ...args) {
    return rawSetImmediate(function (...given) {
      startPhase("immediate");
      return callback.apply(this, given);
    }, ...args);
  };
  // A plain Promise: its settling can be observed with one more reaction.
  const isPlainPromise = (value) =>
    value instanceof Promise &&
    Object.getPrototypeOf(value) === Promise.prototype &&
    !Object.hasOwn(value, "then") &&
    !Object.hasOwn(value, "constructor") &&
    Promise.prototype.then === rawThen;
  function onSettle(promise, record) {
    const done = () => {
      const [phase, generation] = now("a settle reaction");
      // The reaction runs one generation after the settling, or after the
      // attachment when it was already settled (then it settled no later).
      record([phase, generation - 1]);
    };
    rawThen.call(promise, done, done);
  }
  process.on("exit", () => {
    const { phaseKinds, calls, resumes, settles, operands, errors } = state;
    rawWrite(`\n__CLAIMS__${JSON.stringify({ phaseKinds, calls, resumes, settles, operands, errors })}\n`);
  });
  startPhase("main");
  return {
    // Entry of a call of function `func`: returns the call's id.
    e(func) {
      const id = state.calls.length;
      state.calls.push([func, ...now("an entry")]);
      state.lastEntered.set(func, id);
      return id;
    },
    // The await `site` of call `call` resumed (with `value`).
    r(call, site, value) {
      state.resumes.push([call, site, ...now("a resumption")]);
      return value;
    },
    // The await `site` of call `call` starts on `operand`.
    o(call, site, operand) {
      const started = now("an await");
      const index = state.operands.length;
      state.operands.push([call, site, started, null]);
      if (isPlainPromise(operand)) {
        onSettle(operand, (at) => {
          state.operands[index][3] = at;
        });
      }
      return operand;
    },
    // `promise` is the one the last call of `func` returned.
    s(func, promise) {
      const call = state.lastEntered.get(func);
      if (call !== undefined) {
        onSettle(promise, (at) => {
          state.settles.push([call, ...at]);
        });
      }
      return promise;
    },
  };
})();
