// The VS Code side of ticklens: starts `ticklens lsp`, forwards settings, and offers three commands.
// Everything clever is in the server; the pure parts of this client (binary lookup, settings
// translation, order layout) live in their own modules and are unit-tested without VS Code.

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions as ClientServerOptions,
  State,
} from "vscode-languageclient/node";

import { ORDER_REQUEST, ORDER_SCHEME, orderDocumentPath, renderOrder, type OrderResult } from "./order";
import { discoverServer, isFound, type DiscoveryProbes } from "./serverDiscovery";
import { RESTART_KEYS, translateSettings, type Translation } from "./settings";
import { StatusItem } from "./status";
import {
  TIMELINE_REQUEST,
  asRevealMessage,
  renderTimelineHtml,
  timelineTitle,
  type TimelineResult,
} from "./timeline";

/** How long the timeline waits after an edit before it asks the server again. */
const TIMELINE_REFRESH_MS = 300;

const SECTION = "ticklens";

/** The languages ticklens serves; the server parses each by its language id. */
const LANGUAGES = ["javascript", "javascriptreact", "typescript", "typescriptreact"];

/**
 * The documents ticklens serves; `.mjs`/`.cjs`/`.mts`/`.cts` files have their language already, the
 * patterns catch them if remapped.
 */
const DOCUMENT_SELECTOR = [
  ...LANGUAGES.flatMap((language) => [
    { scheme: "file", language },
    { scheme: "untitled", language },
  ]),
  { scheme: "file", pattern: "**/*.{mjs,cjs,mts,cts}" },
];

const probes: DiscoveryProbes = {
  async isFile(file) {
    try {
      return (await stat(file)).isFile();
    } catch {
      return false;
    }
  },
  versionOutput(file) {
    return new Promise((resolve) => {
      execFile(file, ["--version"], { timeout: 5000, windowsHide: true }, (error, stdout) => {
        resolve(error ? undefined : stdout);
      });
    });
  },
};

/**
 * vscode-languageclient 9 logs every exit of the server process as an error, so a restart (the
 * server exits with 0 after `shutdown` and `exit`) reads as a crash in the output channel. Its
 * maintainers agreed an exit with 0 is information (vscode-languageserver-node#1403, fixed after
 * 9.0.1); until a release carries the fix, this client says the same.
 */
class TicklensClient extends LanguageClient {
  override error(message: string, data?: unknown, showNotification?: boolean | "force"): void {
    if (message === "Server process exited with code 0.") {
      this.info(message, data, false);
      return;
    }
    super.error(message, data, showNotification);
  }
}

function readSettings(scope?: vscode.ConfigurationScope): Translation {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return translateSettings((key) => config.get(key));
}

class TicklensExtension implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** Serialises (re)starts: the restart command is the single way in. */
  private lifecycle: Promise<void> = Promise.resolve();
  private readonly output = vscode.window.createOutputChannel("ticklens");
  private readonly status = new StatusItem();
  private readonly orderTexts = new Map<string, string>();
  private readonly orderChanged = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.disposables.push(
      this.output,
      this.status,
      this.orderChanged,
      vscode.workspace.registerTextDocumentContentProvider(ORDER_SCHEME, {
        onDidChange: this.orderChanged.event,
        provideTextDocumentContent: (uri) => this.orderTexts.get(uri.toString()) ?? "",
      }),
      vscode.commands.registerCommand("ticklens.restartServer", () => this.restart()),
      vscode.commands.registerCommand("ticklens.showOutput", () => this.output.show(true)),
      vscode.commands.registerCommand("ticklens.showOrder", () => this.showOrder()),
      vscode.commands.registerCommand("ticklens.showTimeline", () => this.showTimeline()),
      vscode.workspace.onDidChangeConfiguration((event) => this.onConfigurationChanged(event)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.restart()),
    );
  }

  /** Stops the running server, if any, finds the binary again and starts it. */
  restart(): Promise<void> {
    this.lifecycle = this.lifecycle.then(
      () => this.doRestart(),
      () => this.doRestart(),
    );
    return this.lifecycle;
  }

  private async doRestart(): Promise<void> {
    await this.stopClient();
    this.status.starting();
    const found = await discoverServer(
      {
        settingPath: vscode.workspace.getConfiguration(SECTION).get<string | null>("server.path"),
        workspaceTrusted: vscode.workspace.isTrusted,
        extensionPath: this.context.extensionPath,
        platform: process.platform,
        envPath: process.env.PATH,
      },
      probes,
    );
    if (!isFound(found)) {
      this.output.appendLine("ticklens: no usable server binary. Tried:");
      for (const attempt of found.attempts) {
        this.output.appendLine(`  - ${attempt}`);
      }
      this.status.failed("no ticklens binary found");
      void this.reportMissingServer();
      return;
    }
    this.output.appendLine(`ticklens: starting ${found.path} (${found.source}, version ${found.version})`);
    const settings = readSettings();
    this.logWarnings(settings.warnings);
    const serverOptions: ClientServerOptions = { command: found.path, args: ["lsp"] };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      initializationOptions: settings.options,
      // Restarting is the user's decision (the restart command), not a loop of crashes.
      connectionOptions: { maxRestartCount: 2 },
    };
    const client = new TicklensClient(SECTION, "ticklens", serverOptions, clientOptions);
    client.onDidChangeState((event) => {
      if (event.newState === State.Running) {
        this.status.running(found);
      } else if (event.newState === State.Stopped && this.client === client) {
        this.status.stopped();
      }
    });
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.output.appendLine(`ticklens: the server did not start: ${String(error)}`);
      this.status.failed("the server did not start");
      void vscode.window
        .showErrorMessage(`ticklens: the server (${found.path}) did not start.`, "Show output")
        .then((choice) => choice && this.output.show(true));
    }
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (error) {
        this.output.appendLine(`ticklens: stopping the server failed: ${String(error)}`);
      }
    }
  }

  private async reportMissingServer(): Promise<void> {
    const choice = await vscode.window.showErrorMessage(
      "ticklens: cannot find the ticklens language server. Set ticklens.server.path, or put `ticklens` on PATH.",
      "How to install",
      "Open settings",
      "Show output",
    );
    if (choice === "How to install") {
      const readme = vscode.Uri.joinPath(this.context.extensionUri, "README.md");
      await vscode.commands.executeCommand("markdown.showPreview", readme);
    } else if (choice === "Open settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "ticklens.server.path");
    } else if (choice === "Show output") {
      this.output.show(true);
    }
  }

  private onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
    if (!event.affectsConfiguration(SECTION)) {
      return;
    }
    if (RESTART_KEYS.some((key) => event.affectsConfiguration(`${SECTION}.${key}`))) {
      void this.restart();
      return;
    }
    const client = this.client;
    if (client?.isRunning()) {
      const settings = readSettings();
      this.logWarnings(settings.warnings);
      void client.sendNotification(DidChangeConfigurationNotification.type, { settings: settings.options });
    }
  }

  private logWarnings(warnings: string[]): void {
    for (const warning of warnings) {
      this.output.appendLine(`ticklens: ${warning}`);
    }
  }

  private async showOrder(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !vscode.languages.match(DOCUMENT_SELECTOR, editor.document)) {
      void vscode.window.showInformationMessage("ticklens: open a JavaScript or TypeScript file to see its predicted order.");
      return;
    }
    const client = this.client;
    if (!client?.isRunning()) {
      void vscode.window.showErrorMessage("ticklens: the server is not running.", "Restart server").then((choice) => {
        if (choice) {
          void this.restart();
        }
      });
      return;
    }
    const source = editor.document.uri;
    let result: OrderResult;
    try {
      result = await client.sendRequest<OrderResult>(ORDER_REQUEST, {
        textDocument: { uri: client.code2ProtocolConverter.asUri(source) },
      });
    } catch (error) {
      this.output.appendLine(`ticklens: ${ORDER_REQUEST} failed: ${String(error)}`);
      void vscode.window.showErrorMessage("ticklens: the server could not predict the order; see the output.");
      return;
    }
    const { path, query } = orderDocumentPath(source.toString());
    const uri = vscode.Uri.from({ scheme: ORDER_SCHEME, path, query });
    this.orderTexts.set(uri.toString(), renderOrder(result));
    this.orderChanged.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  }

  /** The webview of the timeline, and the source document it draws. */
  private timeline: { panel: vscode.WebviewPanel; source: vscode.Uri; refresh?: ReturnType<typeof setTimeout> } | undefined;

  private async showTimeline(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !vscode.languages.match(DOCUMENT_SELECTOR, editor.document)) {
      void vscode.window.showInformationMessage("ticklens: open a JavaScript or TypeScript file to see its timeline.");
      return;
    }
    const source = editor.document.uri;
    const fileName = source.path.split("/").pop() ?? "untitled";
    if (this.timeline) {
      this.timeline.source = source;
      this.timeline.panel.title = timelineTitle(fileName);
      this.timeline.panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      const panel = vscode.window.createWebviewPanel(
        "ticklens.timeline",
        timelineTitle(fileName),
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, localResourceRoots: [] },
      );
      const timeline: { panel: vscode.WebviewPanel; source: vscode.Uri; refresh?: ReturnType<typeof setTimeout> } = {
        panel,
        source,
      };
      this.timeline = timeline;
      const edits = vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document.uri.toString() !== timeline.source.toString()) {
          return;
        }
        clearTimeout(timeline.refresh);
        timeline.refresh = setTimeout(() => void this.drawTimeline(), TIMELINE_REFRESH_MS);
      });
      const messages = panel.webview.onDidReceiveMessage((message: unknown) => {
        const reveal = asRevealMessage(message);
        if (reveal) {
          void this.revealLine(timeline.source, reveal.line);
        }
      });
      panel.onDidDispose(() => {
        clearTimeout(timeline.refresh);
        edits.dispose();
        messages.dispose();
        if (this.timeline === timeline) {
          this.timeline = undefined;
        }
      });
    }
    await this.drawTimeline();
  }

  /** Asks the server for the timeline of the panel's source and draws it. */
  private async drawTimeline(): Promise<void> {
    const timeline = this.timeline;
    const client = this.client;
    if (!timeline || !client?.isRunning()) {
      return;
    }
    const source = timeline.source;
    let result: TimelineResult;
    try {
      result = await client.sendRequest<TimelineResult>(TIMELINE_REQUEST, {
        textDocument: { uri: client.code2ProtocolConverter.asUri(source) },
      });
    } catch (error) {
      this.output.appendLine(`ticklens: ${TIMELINE_REQUEST} failed: ${String(error)}`);
      return;
    }
    if (this.timeline !== timeline || timeline.source.toString() !== source.toString()) {
      return;
    }
    timeline.panel.webview.html = renderTimelineHtml(result, {
      cspSource: timeline.panel.webview.cspSource,
      nonce: randomBytes(16).toString("base64"),
      fileName: source.path.split("/").pop() ?? "untitled",
    });
  }

  /** Shows `source` with the cursor at the start of 1-based `line`. */
  private async revealLine(source: vscode.Uri, line: number): Promise<void> {
    const document = await vscode.workspace.openTextDocument(source);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === source.toString());
    const editor = await vscode.window.showTextDocument(document, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      preserveFocus: false,
    });
    const position = new vscode.Position(Math.min(line - 1, document.lineCount - 1), 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  async dispose(): Promise<void> {
    this.timeline?.panel.dispose();
    await this.stopClient();
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }
}

let extension: TicklensExtension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extension = new TicklensExtension(context);
  await extension.restart();
}

export async function deactivate(): Promise<void> {
  await extension?.dispose();
  extension = undefined;
}
