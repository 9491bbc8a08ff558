// A helper many codebases grow: fetch a URL as JSON, with a timeout.
//
// `getJson` wraps the work in `new Promise(async ...)`. When `fetch` rejects,
// the error rejects the async executor's own promise, which nobody holds: Node
// reports an unhandled rejection, and the caller gets a misleading "timed out"
// when the timer fires. When the body is not JSON, the timer is already
// cleared and the promise `getJson` returned never settles.
function getJson(url, timeoutMs = 5000) {
  return new Promise(async (resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out: ${url}`)), timeoutMs);
    const response = await fetch(url);
    clearTimeout(timer);
    resolve(await response.json());
  });
}

// The same without an executor: every failure reaches the caller.
async function getJsonFixed(url, timeoutMs = 5000) {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return response.json();
}

module.exports = { getJson, getJsonFixed };
