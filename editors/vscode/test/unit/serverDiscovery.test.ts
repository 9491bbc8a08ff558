import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  bundledServerPath,
  candidates,
  discoverServer,
  isFound,
  parseVersion,
  type DiscoveryInput,
  type DiscoveryProbes,
} from "../../src/serverDiscovery";

const EXTENSION = "/ext/ticklens-0.1.0";

function input(overrides: Partial<DiscoveryInput> = {}): DiscoveryInput {
  return {
    settingPath: undefined,
    workspaceTrusted: true,
    extensionPath: EXTENSION,
    platform: "linux",
    envPath: "/usr/local/bin:/usr/bin",
    ...overrides,
  };
}

/** A fake machine: the files that exist, and what each prints for `--version`. */
function machine(files: Record<string, string | undefined>): DiscoveryProbes & { probed: string[] } {
  const probed: string[] = [];
  return {
    probed,
    isFile: (file) => Promise.resolve(file in files),
    versionOutput: (file) => {
      probed.push(file);
      return Promise.resolve(files[file]);
    },
  };
}

describe("server discovery", () => {
  it("prefers the path setting over the bundled binary and PATH", async () => {
    const probes = machine({
      "/opt/ticklens": "ticklens 0.2.0\n",
      [bundledServerPath(EXTENSION, "linux")]: "ticklens 0.1.0\n",
      "/usr/bin/ticklens": "ticklens 0.1.0\n",
    });
    const found = await discoverServer(input({ settingPath: "/opt/ticklens" }), probes);
    assert.deepEqual(found, { path: "/opt/ticklens", source: "setting", version: "0.2.0" });
  });

  it("uses the bundled binary before PATH", async () => {
    const bundled = bundledServerPath(EXTENSION, "linux");
    const found = await discoverServer(
      input(),
      machine({ [bundled]: "ticklens 0.1.0\n", "/usr/bin/ticklens": "ticklens 9.9.9\n" }),
    );
    assert.deepEqual(found, { path: bundled, source: "bundled", version: "0.1.0" });
  });

  it("falls back to the first ticklens on PATH that answers --version", async () => {
    const probes = machine({ "/usr/local/bin/ticklens": undefined, "/usr/bin/ticklens": "ticklens 0.1.0\n" });
    const found = await discoverServer(input(), probes);
    assert.deepEqual(found, { path: "/usr/bin/ticklens", source: "PATH", version: "0.1.0" });
    assert.deepEqual(probes.probed, ["/usr/local/bin/ticklens", "/usr/bin/ticklens"]);
  });

  it("ignores the path setting in an untrusted workspace and says so", async () => {
    const probes = machine({ "/tmp/evil": "ticklens 0.1.0\n", "/usr/bin/ticklens": "ticklens 0.1.0\n" });
    const found = await discoverServer(input({ settingPath: "/tmp/evil", workspaceTrusted: false }), probes);
    assert.ok(isFound(found));
    assert.equal(found.source, "PATH");
    assert.ok(!probes.probed.includes("/tmp/evil"), "the untrusted setting must never be run");
  });

  it("reports a broken path setting instead of silently running another binary", async () => {
    const probes = machine({ "/usr/bin/ticklens": "ticklens 0.1.0\n" });
    const found = await discoverServer(input({ settingPath: "/opt/missing/ticklens" }), probes);
    assert.ok(!isFound(found));
    assert.match(found.attempts.join("\n"), /setting: \/opt\/missing\/ticklens: no such file/);
  });

  it("rejects a path setting whose --version is not ticklens", async () => {
    const found = await discoverServer(
      input({ settingPath: "/usr/bin/node" }),
      machine({ "/usr/bin/node": "v24.11.1\n", "/usr/bin/ticklens": "ticklens 0.1.0\n" }),
    );
    assert.ok(!isFound(found));
    assert.match(found.attempts.join("\n"), /printed "v24\.11\.1", not "ticklens <version>"/);
  });

  it("rejects a relative path setting", () => {
    const [first] = candidates(input({ settingPath: "bin/ticklens" }));
    assert.equal(first.source, "setting");
    assert.match(first.skipped ?? "", /must be an absolute path/);
  });

  it("lists every place it looked when nothing is found", async () => {
    const found = await discoverServer(input({ envPath: "" }), machine({}));
    assert.ok(!isFound(found));
    assert.deepEqual(found.attempts, [
      `bundled: ${bundledServerPath(EXTENSION, "linux")}: not bundled for this platform`,
      "PATH: no ticklens binary on PATH",
    ]);
  });

  it("uses ticklens.exe and ; separators on Windows", () => {
    const list = candidates(input({ platform: "win32", envPath: "C:\\tools;relative", extensionPath: "C:\\ext" }));
    assert.deepEqual(
      list.map((c) => c.source),
      ["bundled", "PATH"],
    );
    assert.ok(list[0].path?.endsWith("ticklens.exe"));
  });

  it("skips relative PATH entries, which would depend on the current folder", () => {
    const list = candidates(input({ envPath: ".:node_modules/.bin:/usr/bin" }));
    assert.deepEqual(
      list.filter((c) => c.source === "PATH").map((c) => c.path),
      ["/usr/bin/ticklens"],
    );
  });
});

describe("version parsing", () => {
  it("reads clap's `ticklens 0.1.0`", () => {
    assert.equal(parseVersion("ticklens 0.1.0\n"), "0.1.0");
  });

  it("refuses another program's version", () => {
    assert.equal(parseVersion("v24.11.1"), undefined);
    assert.equal(parseVersion("ticklensx 0.1.0"), undefined);
    assert.equal(parseVersion(""), undefined);
  });
});
