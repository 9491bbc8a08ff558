import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { translateSettings, type SettingGetter } from "../../src/settings";

function settings(values: Record<string, unknown>): SettingGetter {
  return (key) => values[key];
}

describe("settings translation", () => {
  it("turns unset settings into the defaults", () => {
    assert.deepEqual(translateSettings(settings({})), {
      options: { inlayHints: true, codeLens: true, rules: {} },
      warnings: [],
    });
  });

  it("passes the toggles and rule severities in the server's shape", () => {
    const { options, warnings } = translateSettings(
      settings({
        "inlayHints.enable": false,
        "codeLens.enable": true,
        rules: { "async-promise-executor": "error", "floating-promise": "off" },
      }),
    );
    assert.deepEqual(options, {
      inlayHints: false,
      codeLens: true,
      rules: { "async-promise-executor": "error", "floating-promise": "off" },
    });
    assert.deepEqual(warnings, []);
  });

  it("passes \"on\", which switches on a rule that is off by default", () => {
    const { options, warnings } = translateSettings(settings({ rules: { "prefer-queue-microtask": "on" } }));
    assert.deepEqual(options.rules, { "prefer-queue-microtask": "on" });
    assert.deepEqual(warnings, []);
  });

  it("drops an unknown severity with a warning, keeping the other rules", () => {
    const { options, warnings } = translateSettings(
      settings({ rules: { "async-promise-executor": "fatal", "other-rule": "hint" } }),
    );
    assert.deepEqual(options.rules, { "other-rule": "hint" });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /async-promise-executor.*"fatal" is not one of off, on, hint, info, warning, error/);
  });

  it("drops keys that are not rule codes", () => {
    const { options, warnings } = translateSettings(settings({ rules: { "Async Promise": "error" } }));
    assert.deepEqual(options.rules, {});
    assert.match(warnings[0], /is not a rule code/);
  });

  it("ignores a rules value that is not an object", () => {
    for (const rules of ["error", ["async-promise-executor"], 3]) {
      const { options, warnings } = translateSettings(settings({ rules }));
      assert.deepEqual(options.rules, {});
      assert.equal(warnings.length, 1, JSON.stringify(rules));
    }
  });

  it("falls back to the default for a toggle that is not a boolean", () => {
    const { options, warnings } = translateSettings(settings({ "inlayHints.enable": "no" }));
    assert.equal(options.inlayHints, true);
    assert.match(warnings[0], /ticklens.inlayHints.enable should be true or false/);
  });
});
