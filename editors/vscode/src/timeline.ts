// The `ticklens/timeline` request and the webview that draws its answer as lanes.
// The server does the predicting (the same run as `ticklens order --timeline`); this only lays
// the steps out. Pure functions: no `vscode` import, so the unit tests run them in Node.

/** Params of `ticklens/timeline`. */
export interface TimelineParams {
  textDocument: { uri: string };
}

/** A 1-based line and UTF-16 column. */
export interface TimelinePosition {
  line: number;
  column: number;
}

export interface TimelineStep {
  lane: string;
  /** A microtask's tick within its drain. */
  tick: number | null;
  cause: string;
  range: { start: TimelinePosition; end: TimelinePosition } | null;
  printed: { text: string; line: number; column: number }[];
}

/** Result of `ticklens/timeline`, version 1 (tests/schemas/timeline-v1.json). */
export interface TimelineResult {
  version: number;
  complete: boolean;
  lanes: { name: string; title: string }[];
  steps: TimelineStep[];
  waits: string[];
  stopped: { reason: string; at: TimelinePosition | null } | null;
  assumptions: string[];
}

export const TIMELINE_REQUEST = "ticklens/timeline";

/** The message a clicked step posts: reveal this 1-based line of the source. */
export interface RevealMessage {
  type: "reveal";
  line: number;
}

/** A message from the webview, if it is a well-formed reveal request. */
export function asRevealMessage(message: unknown): RevealMessage | undefined {
  if (typeof message !== "object" || message === null) {
    return undefined;
  }
  const { type, line } = message as { type?: unknown; line?: unknown };
  if (type === "reveal" && typeof line === "number" && Number.isInteger(line) && line >= 1) {
    return { type, line };
  }
  return undefined;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** What the page needs from the webview: its CSP source, and a fresh nonce for the one script. */
export interface PageContext {
  cspSource: string;
  nonce: string;
  /** The source file's name, for the title. */
  fileName: string;
}

/** The strict Content-Security-Policy of the page: nothing but its own nonce'd style and script. */
export function contentSecurityPolicy(context: PageContext): string {
  return [
    "default-src 'none'",
    `style-src ${context.cspSource} 'nonce-${context.nonce}'`,
    `script-src 'nonce-${context.nonce}'`,
  ].join("; ");
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size);
  color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 12px; }
h1 { font-size: 1.1em; font-weight: 600; }
.lanes { display: grid; gap: 2px 6px; align-items: start; }
.lane-title, .step { min-width: 0; overflow-wrap: anywhere; }
.lane-title { font-weight: 600; padding: 4px 6px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-foreground));
  color: var(--vscode-descriptionForeground); }
.step { text-align: left; font: inherit; color: inherit; cursor: pointer;
  background: var(--vscode-editorWidget-background); border: 1px solid var(--vscode-editorWidget-border, transparent);
  border-left: 3px solid var(--vscode-textLink-foreground); border-radius: 3px; padding: 4px 6px; }
.step:hover, .step:focus { outline: 1px solid var(--vscode-focusBorder); }
.step .where { color: var(--vscode-textLink-foreground); }
.step .cause { color: var(--vscode-descriptionForeground); display: block; }
.printed { display: block; font-family: var(--vscode-editor-font-family); }
.printed::before { content: "> "; color: var(--vscode-descriptionForeground); }
.waits, .stopped { margin-top: 12px; }
.stopped { color: var(--vscode-errorForeground); }
`;

const SCRIPT = `
const vscode = acquireVsCodeApi();
for (const element of document.querySelectorAll("[data-line]")) {
  element.addEventListener("click", (event) => {
    event.stopPropagation();
    vscode.postMessage({ type: "reveal", line: Number(element.dataset.line) });
  });
}
`;

/** The webview's HTML for a timeline answer: one column per lane, one row per step, in order. */
export function renderTimelineHtml(result: TimelineResult, context: PageContext): string {
  const lanes = result.lanes;
  const column = new Map(lanes.map((lane, index) => [lane.name, index + 1]));
  const titles = lanes
    .map((lane) => `<div class="lane-title" data-lane="${escapeHtml(lane.name)}">${escapeHtml(lane.title)}</div>`)
    .join("");
  const steps = result.steps
    .map((step, index) => {
      const line = step.range?.start.line;
      const tick = step.tick === null ? "" : ` <span class="tick">tick ${step.tick}</span>`;
      const where = line === undefined ? "no code of the file" : `line ${line}`;
      const printed = step.printed
        .map(
          (print) =>
            `<span class="printed" data-line="${print.line}" title="line ${print.line}">${escapeHtml(print.text)}</span>`,
        )
        .join("");
      const lineAttribute = line === undefined ? "" : ` data-line="${line}"`;
      return (
        `<button class="step" data-step="${index}" ` +
        `data-lane="${escapeHtml(step.lane)}"${lineAttribute}>` +
        `<span class="where">${where}</span>${tick}<span class="cause">${escapeHtml(step.cause)}</span>${printed}</button>`
      );
    })
    .join("\n");
  const waits =
    result.waits.length === 0
      ? ""
      : `<div class="waits"><p>Then, in an order Node does not fix, the run waits on:</p><ul>${result.waits
          .map((wait) => `<li>${escapeHtml(wait)}</li>`)
          .join("")}</ul></div>`;
  const stopped = result.stopped
    ? `<p class="stopped">Stopped${result.stopped.at ? ` at line ${result.stopped.at.line}` : ""}: ${escapeHtml(result.stopped.reason)}</p>`
    : "";
  const empty = result.steps.length === 0 && !result.stopped ? "<p>The program runs no code.</p>" : "";
  // Inline style attributes would need 'unsafe-inline': each step's cell is placed from the
  // nonce'd style element instead.
  const placement = [
    `.lanes { grid-template-columns: repeat(${lanes.length}, minmax(0, 1fr)); }`,
    ...result.steps.map(
      (step, index) => `[data-step="${index}"] { grid-column: ${column.get(step.lane) ?? 1}; grid-row: ${index + 2}; }`,
    ),
  ].join("\n");
  const csp = contentSecurityPolicy(context);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${context.nonce}">${STYLE}
${placement}</style>
<title>${escapeHtml(context.fileName)} (timeline)</title>
</head>
<body>
<h1>${escapeHtml(context.fileName)}: the predicted run</h1>
<div class="lanes">
${titles}
${steps}
</div>
${empty}${waits}${stopped}
<script nonce="${context.nonce}">${SCRIPT}</script>
</body>
</html>
`;
}

/** The webview panel's title for a source file. */
export function timelineTitle(fileName: string): string {
  return `${fileName} (timeline)`;
}
