// End-to-end test in real VS Code: code-server serves the workbench, headless Chromium drives it.
//
// It installs the packaged .vsix, opens the fixture project, and checks what a user sees: a ticklens
// diagnostic in the Problems panel, the hover on an `await`, the document that "ticklens: Show
// predicted order" opens, and the webview of "ticklens: Show timeline" (lanes, steps, a click that
// moves the cursor). Every wait is on a UI condition with a timeout; each step saves a
// screenshot to tests/artifacts/.
//
// Inputs (environment, set by scripts/test-editors.sh):
//   TICKLENS_BIN   the ticklens binary the .vsix bundles (the test asks its CLI for the expected order)
//   CODE_SERVER    code-server's entry script, run with this Node (24)
//   TICKLENS_VSIX  the packaged extension (scripts/package.sh), with the binary in its server/
// No `ticklens` may be on PATH and no `ticklens.server.path` is set: the server the extension
// starts must be the one the .vsix carries, as for a user who installed nothing else.

/// <reference lib="dom" />

import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { chromium, type Browser, type Page } from "playwright-core";

import { renderOrder, type OrderResult } from "../../src/order";
import type { TimelineResult } from "../../src/timeline";

/** What the hover on the fixture's first `await` must say: its resume tick, from the ordering engine. */
const AWAIT_HOVER_PHRASE = "Resumes on microtask tick 1 after";

const RULE_CODE = "async-promise-executor";
/** The rule's own fix for the fixture's executor (not the "Ignore ... on this line" suppression), and the line it leaves. */
const QUICK_FIX_TITLE = /Remove .?async.? from the executor/;
const FIXED_LINE = "  return new Promise((resolve) => {";
/** vscode-languageclient's line for a server that exited normally; logged at Info by src/extension.ts. */
const SERVER_EXIT_LINE = "Server process exited with code 0.";
const FIXTURE_FILE = "promise.js";
/** The same findings in TypeScript (a `typescript` document); its fix keeps the type argument. */
const TS_FIXTURE_FILE = "promise.ts";
const TS_FIXED_LINE = "  return new Promise<string>((resolve) => {";
/** The seed example: prints A, D, B, C; its timeline is a synchronous step and a microtask. */
const SEED_FILE = "ordering.js";

const REPO_ROOT = path.resolve(__dirname, "../../../../..");
const FIXTURE_PROJECT = path.join(REPO_ROOT, "editors/fixtures/project");
const ARTIFACTS = path.join(REPO_ROOT, "tests/artifacts");

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
];

/** Generous: two cores, and the first start of the workbench compiles a lot of JavaScript. */
const WORKBENCH_TIMEOUT_MS = 180_000;
const UI_TIMEOUT_MS = 60_000;

function requiredEnv(name: string): string {
  const value = process.env[name];
  assert.ok(value, `${name} must be set (scripts/test-editors.sh sets it)`);
  return value;
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** What "Show predicted order" must show, from the CLI, so the test follows the engine as it grows. */
async function expectedOrderText(ticklens: string, file: string): Promise<string> {
  const { code, stdout, stderr } = await run(ticklens, ["order", file]);
  let result: OrderResult;
  if (code === 0) {
    result = { lines: stdout.split("\n").slice(0, -1), abstained: null };
  } else if (code === 3) {
    // `ticklens: cannot predict the order: [FILE:LINE:COL: ]REASON`; the LSP answer has the reason only.
    const match = /^ticklens: cannot predict the order: (?:.*?:\d+:\d+: )?(.*)$/m.exec(stderr);
    assert.ok(match, `unexpected stderr from ticklens order: ${stderr}`);
    result = { lines: null, abstained: match[1] };
  } else {
    assert.fail(`ticklens order exited with ${code}: ${stderr}`);
  }
  return renderOrder(result);
}

/** What "Show timeline" must draw, from the CLI's JSON (the same shape the server answers). */
async function expectedTimeline(ticklens: string, file: string): Promise<TimelineResult> {
  const { code, stdout, stderr } = await run(ticklens, ["order", file, "--timeline", "--format", "json"]);
  assert.equal(code, 0, `ticklens order --timeline exited with ${code}: ${stderr}`);
  return JSON.parse(stdout) as TimelineResult;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Polls `check` until it returns a value, or fails with `what` after `timeoutMs`. */
async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ""}`);
}

describe("ticklens in VS Code (code-server)", { timeout: 600_000 }, () => {
  let workdir: string;
  let project: string;
  let extensionsDir: string;
  let codeServer: ChildProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let step = 0;

  async function screenshot(name: string): Promise<void> {
    step += 1;
    await page.screenshot({ path: path.join(ARTIFACTS, `vscode-${step}-${name}.png`) });
  }

  async function runCommand(label: string): Promise<void> {
    await page.keyboard.press("F1");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    await input.fill(`>${label}`);
    const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: label }).first();
    await row.waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    await input.press("Enter");
    await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: UI_TIMEOUT_MS });
  }

  /** The text of an output channel, from the log file VS Code writes it to under the user data folder. */
  async function outputChannelLog(channel: string): Promise<string> {
    const files = (await readdir(path.join(workdir, "user-data", "logs"), { recursive: true }))
      .filter((file) => file.endsWith(`-${channel}.log`) || path.basename(file) === `${channel}.log`);
    assert.equal(files.length, 1, `one log file of the ${channel} output channel: ${JSON.stringify(files)}`);
    return readFile(path.join(workdir, "user-data", "logs", files[0]), "utf8");
  }

  /** The text lines of the active editor, in order (Monaco does not keep its line divs sorted). */
  async function activeEditorLines(): Promise<string[]> {
    return page
      .locator(".editor-group-container.active .monaco-editor .view-lines")
      .first()
      .evaluate((element) =>
        Array.from(element.querySelectorAll<HTMLElement>(".view-line"))
          .map((line) => ({ top: parseFloat(line.style.top || "0"), text: line.textContent ?? "" }))
          .sort((a, b) => a.top - b.top)
          .map((line) => line.text.replace(/\u00a0/g, " ")),
      );
  }

  before(async () => {
    requiredEnv("TICKLENS_BIN");
    const onPath = (process.env.PATH ?? "")
      .split(path.delimiter)
      .filter((dir) => dir && existsSync(path.join(dir, "ticklens")));
    assert.deepEqual(onPath, [], "no ticklens may be on PATH: the .vsix's bundled server must be the one started");
    const codeServerEntry = requiredEnv("CODE_SERVER");
    const vsix = requiredEnv("TICKLENS_VSIX");
    await mkdir(ARTIFACTS, { recursive: true });
    // Screenshots of an earlier run would mix with this run's.
    for (const name of await readdir(ARTIFACTS)) {
      if (/^vscode-.*\.png$/.test(name)) {
        await rm(path.join(ARTIFACTS, name));
      }
    }

    workdir = await mkdtemp(path.join(tmpdir(), "ticklens-vscode-e2e-"));
    project = path.join(workdir, "project");
    await cp(FIXTURE_PROJECT, project, { recursive: true });
    const userDataDir = path.join(workdir, "user-data");
    extensionsDir = path.join(workdir, "extensions");
    await mkdir(path.join(userDataDir, "User"), { recursive: true });
    await writeFile(
      path.join(userDataDir, "User", "settings.json"),
      JSON.stringify(
        {
          "security.workspace.trust.enabled": false,
          "workbench.startupEditor": "none",
          "workbench.tips.enabled": false,
          "workbench.welcomePage.walkthroughs.openOnInstall": false,
          "workbench.enableExperiments": false,
          "workbench.secondarySideBar.defaultVisibility": "hidden",
          "chat.disableAIFeatures": true,
          "telemetry.telemetryLevel": "off",
          "update.mode": "none",
          "extensions.autoCheckUpdates": false,
          "extensions.autoUpdate": false,
          "editor.hover.delay": 200,
          "editor.minimap.enabled": false,
          // Message traces would flood the output view the restart step reads.
          "ticklens.trace.server": "off",
          // Reaches the server as initializationOptions.rules: the warning becomes an error.
          "ticklens.rules": { [RULE_CODE]: "error" },
        },
        null,
        2,
      ),
    );

    const common = [
      "--config",
      path.join(workdir, "code-server.yaml"),
      "--user-data-dir",
      userDataDir,
      "--extensions-dir",
      extensionsDir,
    ];
    const install = await run(process.execPath, [codeServerEntry, ...common, "--install-extension", vsix]);
    assert.equal(install.code, 0, `installing the .vsix failed:\n${install.stdout}\n${install.stderr}`);
    assert.match(install.stdout, /successfully installed/i, install.stdout);

    const port = await freePort();
    const log = createWriteStream(path.join(ARTIFACTS, "vscode-code-server.log"));
    codeServer = spawn(
      process.execPath,
      [
        codeServerEntry,
        ...common,
        "--auth",
        "none",
        "--bind-addr",
        `127.0.0.1:${port}`,
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
        project,
      ],
      { detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    codeServer.stdout?.pipe(log);
    codeServer.stderr?.pipe(log);
    const base = `http://127.0.0.1:${port}`;
    await waitFor("code-server to answer /healthz", WORKBENCH_TIMEOUT_MS, async () => {
      assert.equal(codeServer?.exitCode, null, "code-server exited; see tests/artifacts/vscode-code-server.log");
      const response = await fetch(`${base}/healthz`).catch(() => undefined);
      return response?.ok ? true : undefined;
    });

    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${base}/?folder=${encodeURIComponent(project)}`);
    await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: WORKBENCH_TIMEOUT_MS });
    // The explorer lists the fixture once the workbench has loaded the folder.
    await page
      .locator(".explorer-folders-view .monaco-list-row", { hasText: FIXTURE_FILE })
      .waitFor({ state: "visible", timeout: WORKBENCH_TIMEOUT_MS });
  });

  after(async () => {
    if (page && browser) {
      await page.screenshot({ path: path.join(ARTIFACTS, "vscode-last.png") }).catch(() => undefined);
    }
    await browser?.close().catch(() => undefined);
    if (codeServer?.pid !== undefined && codeServer.exitCode === null) {
      // code-server forks; end its whole process group.
      try {
        process.kill(-codeServer.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    if (workdir) {
      await rm(workdir, { recursive: true, force: true });
    }
  });

  /** Opens `file` from the explorer and checks the rule's diagnostic in the Problems panel. */
  async function expectProblemIn(file: string): Promise<void> {
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: file }).first().click();
    await page
      .locator(".editor-group-container.active .tab.active", { hasText: file })
      .waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    await page
      .locator(".editor-group-container.active .view-lines", { hasText: "new Promise" })
      .waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    await runCommand("Focus on Problems View");
    const problem = page.locator(".markers-panel .monaco-list-row", { hasText: RULE_CODE }).first();
    await problem.waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    const text = (await problem.textContent()) ?? "";
    assert.match(text, /ticklens/);
    assert.match(text, /async/);
    assert.equal(await problem.locator(".codicon-error").count(), 1, "ticklens.rules should make it an error");
  }

  /** Hovers the active editor's first `await` and checks the server's explanation, with its resume tick. */
  async function expectAwaitHover(): Promise<void> {
    const awaitToken = page
      .locator(".editor-group-container.active .view-line span span", { hasText: /^await$/ })
      .first();
    await awaitToken.waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    const hover = page.locator(".monaco-hover:not(.hidden)", { hasText: AWAIT_HOVER_PHRASE }).first();
    await waitFor("the ticklens hover on `await`", UI_TIMEOUT_MS, async () => {
      // Moving off and back on re-triggers the hover if the first one came before the server was ready.
      await page.mouse.move(0, 0);
      await awaitToken.hover();
      return hover.waitFor({ state: "visible", timeout: 3000 }).then(
        () => true,
        () => undefined,
      );
    });
    const text = (await hover.textContent()) ?? "";
    assert.match(text, /await/);
    assert.ok(text.includes(AWAIT_HOVER_PHRASE), text);
  }

  /** Applies the rule's quick-fix in the editor showing `new Promise`, and checks the line it leaves. */
  async function applyQuickFix(fixedLine: string): Promise<void> {
    await page.locator(".editor-group-container", { hasText: "new Promise" }).first().click();
    const asyncToken = page
      .locator(".view-line", { hasText: "new Promise" })
      .locator("span span", { hasText: /^async$/ })
      .first();
    await asyncToken.click();
    const fix = page.locator(".action-widget .monaco-list-row.action", { hasText: QUICK_FIX_TITLE }).first();
    // The code actions are computed after the cursor moves; ask again until the menu lists them.
    await waitFor("the quick-fix menu", UI_TIMEOUT_MS, async () => {
      await page.keyboard.press("Escape");
      await runCommand("Quick Fix...");
      return fix.waitFor({ state: "visible", timeout: 5000 }).then(
        () => true,
        () => undefined,
      );
    });
    await screenshot("quick-fix");
    await fix.click();
    await page
      .locator(".markers-panel .monaco-list-row", { hasText: RULE_CODE })
      .waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });
    const lines = await activeEditorLines();
    assert.ok(lines.includes(fixedLine), `the fixed line is missing:\n${lines.join("\n")}`);
    assert.ok(!lines.some((line) => line.includes("ticklens-ignore")), "the fix is a suppression comment");
  }

  it("shows the async-promise-executor diagnostic in the Problems panel", async () => {
    await expectProblemIn(FIXTURE_FILE);
    await page
      .locator(".statusbar-item", { hasText: "ticklens" })
      .first()
      .waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    await screenshot("problems");
  });

  it("runs the server bundled in the .vsix", async () => {
    // src/extension.ts logs `ticklens: starting PATH (SOURCE, version VERSION)` for the binary it runs.
    const started = await waitFor("the ticklens output channel's start line", UI_TIMEOUT_MS, async () => {
      const match = /^.*ticklens: starting (\S+) \((\w+), version (\S+)\)$/m.exec(await outputChannelLog("ticklens"));
      return match ?? undefined;
    });
    const [, serverPath, source, version] = started;
    assert.equal(source, "bundled", started[0]);
    const installed = (await readdir(extensionsDir)).filter((name) => name.startsWith("ticklens."));
    assert.equal(installed.length, 1, `one installed ticklens extension: ${JSON.stringify(installed)}`);
    assert.equal(serverPath, path.join(extensionsDir, installed[0], "server", "ticklens"), started[0]);
    const expected = await run(requiredEnv("TICKLENS_BIN"), ["--version"]);
    assert.equal(`ticklens ${version}`, expected.stdout.trim());
  });

  it("explains an await in its hover", async () => {
    await expectAwaitHover();
    await screenshot("hover");
    await page.keyboard.press("Escape");
  });

  it("opens the predicted order beside the editor", async () => {
    const expected = await expectedOrderText(requiredEnv("TICKLENS_BIN"), path.join(project, FIXTURE_FILE));
    const expectedLines = expected.split("\n");
    await page.locator(".editor-group-container.active .view-lines", { hasText: "new Promise" }).click();
    await runCommand("ticklens: Show predicted order");
    await page
      .locator(".editor-group-container.active .tab.active", { hasText: "(predicted order)" })
      .waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    const shown = await waitFor("the predicted order document", UI_TIMEOUT_MS, async () => {
      const lines = await activeEditorLines();
      return lines.join("\n") === expectedLines.join("\n") ? lines : undefined;
    }).catch(async (error: unknown) => {
      await screenshot("order-mismatch");
      throw new Error(
        `${String(error)}\nshown:    ${JSON.stringify(await activeEditorLines())}\nexpected: ${JSON.stringify(expectedLines)}`,
      );
    });
    assert.deepEqual(shown, expectedLines);
    // Two editor groups: the fixture on the left, the order beside it.
    assert.equal(await page.locator(".editor-group-container").count(), 2);
    await screenshot("order");
  });
  it("restarts the server without an error in its log", async () => {
    await runCommand("ticklens: Restart server");
    // Stopping the client clears its diagnostics; the restarted server publishes them again.
    await page
      .locator(".markers-panel .monaco-list-row", { hasText: RULE_CODE })
      .first()
      .waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    await runCommand("ticklens: Show output");
    await page
      .locator(".output-view .view-lines", { hasText: "ticklens: starting" })
      .first()
      .waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    await screenshot("output");
    // The whole channel, from the file VS Code keeps it in (the view shows only what fits).
    const log = await waitFor("the first server's exit in the ticklens output", UI_TIMEOUT_MS, async () => {
      const text = await outputChannelLog("ticklens");
      return text.includes(SERVER_EXIT_LINE) && text.split("ticklens: starting").length >= 3 ? text : undefined;
    });
    const errors = log.split("\n").filter((line) => /\[Error\b/.test(line));
    assert.deepEqual(errors, [], `the restart logged errors:\n${log}`);
    await runCommand("Focus on Problems View");
  });

  it("applies the rule's quick-fix, which removes `async` and resolves the diagnostic", async () => {
    await applyQuickFix(FIXED_LINE);
    await screenshot("quick-fix-applied");
  });

  it("shows the diagnostic, a hover with a tick and the quick-fix on a TypeScript file", async () => {
    await expectProblemIn(TS_FIXTURE_FILE);
    await screenshot("typescript-problems");
    await expectAwaitHover();
    await screenshot("typescript-hover");
    await page.keyboard.press("Escape");
    await applyQuickFix(TS_FIXED_LINE);
    await screenshot("typescript-quick-fix-applied");
  });

  it("draws the seed example's timeline in a webview, and a click on a step moves the cursor", async () => {
    const expected = await expectedTimeline(requiredEnv("TICKLENS_BIN"), path.join(project, SEED_FILE));
    const printedInOrder = expected.steps.flatMap((step) => step.printed.map((print) => print.text));
    assert.deepEqual(printedInOrder, ["A", "D", "B", "C"], "the seed example's order");
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: SEED_FILE }).first().click();
    await page
      .locator(".editor-group-container.active .tab.active", { hasText: SEED_FILE })
      .waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    await page
      .locator(".editor-group-container.active .view-lines", { hasText: "async function example" })
      .click();
    await runCommand("ticklens: Show timeline");
    // A webview is an iframe holding the page's own iframe.
    const webview = page.frameLocator("iframe.webview.ready").frameLocator("iframe#active-frame");
    const steps = webview.locator(".step");
    await steps.first().waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });

    const titles = await webview.locator(".lane-title").allTextContents();
    assert.deepEqual(titles, expected.lanes.map((lane) => lane.title));
    const shown = await steps.evaluateAll((elements) =>
      elements.map((element) => ({
        lane: element.getAttribute("data-lane"),
        line: element.getAttribute("data-line"),
        printed: Array.from(element.querySelectorAll(".printed")).map((p) => p.textContent),
        cause: element.querySelector(".cause")?.textContent,
      })),
    );
    assert.deepEqual(
      shown,
      expected.steps.map((step) => ({
        lane: step.lane,
        line: step.range ? String(step.range.start.line) : null,
        printed: step.printed.map((print) => print.text),
        cause: step.cause,
      })),
    );
    assert.deepEqual(
      shown.map((step) => step.lane),
      ["main", "microtask"],
    );
    await screenshot("timeline");

    // "B" is printed by the microtask step; clicking it puts the cursor on its line in the source.
    const b = expected.steps[1].printed[0];
    assert.equal(b.text, "B");
    await webview.locator(".step .printed", { hasText: /^B$/ }).click();
    await page
      .locator(".statusbar-item", { hasText: `Ln ${b.line}, Col 1` })
      .first()
      .waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    await page
      .locator(".editor-group-container.active .tab.active", { hasText: SEED_FILE })
      .waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
    await screenshot("timeline-revealed");
  });
});
