import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  asRevealMessage,
  contentSecurityPolicy,
  renderTimelineHtml,
  timelineTitle,
  type TimelineResult,
} from "../../src/timeline";

const LANES = [
  { name: "main", title: "synchronous" },
  { name: "nextTick", title: "nextTick queue" },
  { name: "microtask", title: "microtasks" },
  { name: "timers", title: "timers phase" },
  { name: "io", title: "I/O (poll)" },
  { name: "check", title: "check phase" },
];

const position = (line: number, column = 1): { line: number; column: number } => ({ line, column });

/** The seed example's answer (`A D B C`), as the server gives it. */
const SEED: TimelineResult = {
  version: 1,
  complete: true,
  lanes: LANES,
  steps: [
    {
      lane: "main",
      tick: null,
      cause: "sync",
      range: { start: position(1), end: position(16) },
      printed: [
        { text: "A", line: 9, column: 3 },
        { text: "D", line: 15, column: 1 },
      ],
    },
    {
      lane: "microtask",
      tick: 1,
      cause: "tick 1: promise reaction (await in example() at line 10)",
      range: { start: position(8), end: position(13, 2) },
      printed: [
        { text: "B", line: 11, column: 3 },
        { text: "C", line: 12, column: 3 },
      ],
    },
  ],
  waits: [],
  stopped: null,
  assumptions: [],
};

const CONTEXT = { cspSource: "vscode-webview://x", nonce: "abc123", fileName: "ordering.js" };

describe("timeline webview", () => {
  it("titles every lane once, in the server's order", () => {
    const html = renderTimelineHtml(SEED, CONTEXT);
    const titles = [...html.matchAll(/<div class="lane-title" data-lane="([^"]+)">([^<]+)<\/div>/g)].map((m) => m[2]);
    assert.deepEqual(titles, LANES.map((lane) => lane.title));
  });

  it("places each step in its lane's column and its own row, from the nonce'd style", () => {
    const html = renderTimelineHtml(SEED, CONTEXT);
    assert.match(html, /\[data-step="0"\] \{ grid-column: 1; grid-row: 2; \}/);
    assert.match(html, /\[data-step="1"\] \{ grid-column: 3; grid-row: 3; \}/);
    assert.ok(!/ style="/.test(html), "no inline style attribute (the CSP forbids them)");
  });

  it("makes each step and printed line clickable to its source line", () => {
    const html = renderTimelineHtml(SEED, CONTEXT);
    assert.match(html, /<button class="step" data-step="1" data-lane="microtask" data-line="8">/);
    assert.match(html, /<span class="printed" data-line="11" title="line 11">B<\/span>/);
    assert.match(html, /tick 1/);
  });

  it("has a strict CSP: no default source, its nonce for the one script and style", () => {
    const html = renderTimelineHtml(SEED, CONTEXT);
    const csp = contentSecurityPolicy(CONTEXT);
    assert.equal(csp, "default-src 'none'; style-src vscode-webview://x 'nonce-abc123'; script-src 'nonce-abc123'");
    assert.ok(html.includes(`content="${csp.replace(/'/g, "&#39;")}"`), html);
    assert.equal([...html.matchAll(/<script nonce="abc123">/g)].length, 1);
    assert.equal([...html.matchAll(/<script/g)].length, 1);
  });

  it("escapes what the program prints", () => {
    const result: TimelineResult = {
      ...SEED,
      steps: [{ ...SEED.steps[0], printed: [{ text: "<img src=x onerror=alert(1)>", line: 2, column: 1 }] }],
    };
    const html = renderTimelineHtml(result, CONTEXT);
    assert.ok(!html.includes("<img"), html);
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
  });

  it("draws a partly answered run: the steps, then what waits and why it stops", () => {
    const result: TimelineResult = {
      ...SEED,
      complete: false,
      steps: [SEED.steps[0]],
      waits: ["I/O: `fs.readFile` at line 2", "setTimeout at line 3"],
      stopped: { reason: "whether `fs.readFile` at line 2 completes first depends on the I/O", at: position(2, 4) },
    };
    const html = renderTimelineHtml(result, CONTEXT);
    assert.match(html, /<li>I\/O: `fs.readFile` at line 2<\/li><li>setTimeout at line 3<\/li>/);
    assert.match(html, /<p class="stopped">Stopped at line 2: whether/);
  });

  it("uses the theme's colours only", () => {
    const html = renderTimelineHtml(SEED, CONTEXT);
    assert.ok(!/#[0-9a-f]{3,6}\b|rgb\(/i.test(html), "no fixed colour");
    assert.match(html, /var\(--vscode-editor-background\)/);
  });

  it("accepts only well-formed reveal messages", () => {
    assert.deepEqual(asRevealMessage({ type: "reveal", line: 4 }), { type: "reveal", line: 4 });
    assert.equal(asRevealMessage({ type: "reveal", line: 0 }), undefined);
    assert.equal(asRevealMessage({ type: "reveal", line: "4" }), undefined);
    assert.equal(asRevealMessage({ type: "other", line: 4 }), undefined);
    assert.equal(asRevealMessage(null), undefined);
  });

  it("names the panel after the file", () => {
    assert.equal(timelineTitle("ordering.js"), "ordering.js (timeline)");
  });
});
