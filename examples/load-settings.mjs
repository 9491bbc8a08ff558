// An ES module with top-level await. The first loop looks like it loads every
// setting before printing them, but `forEach` ignores the promises its async
// callback returns: it prints `{}`. The top-level `await Promise.all` below
// does wait, and prints all three.
const sleep = (ms, value) => new Promise((resolve) => setTimeout(resolve, ms, value));

async function readSetting(name) {
  return sleep(10, `${name}=on`);
}

const names = ["cache", "metrics", "tracing"];

const settings = {};
names.forEach(async (name) => {
  settings[name] = await readSetting(name);
});
console.log(settings);

const loaded = await Promise.all(names.map((name) => readSetting(name)));
console.log(loaded);
