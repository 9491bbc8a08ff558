// The status bar item: whether the server is starting, running (and which binary), or down.
// Clicking it shows the output channel.

import * as vscode from "vscode";

import type { FoundServer } from "./serverDiscovery";

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("ticklens.status", vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = "ticklens";
    this.item.command = "ticklens.showOutput";
    this.starting();
    this.item.show();
  }

  starting(): void {
    this.set("$(sync~spin) ticklens", "ticklens: starting the server", undefined);
  }

  running(server: FoundServer): void {
    this.set(
      "$(pulse) ticklens",
      `ticklens ${server.version} is running\n${server.path} (${server.source})`,
      undefined,
    );
  }

  stopped(): void {
    this.set(
      "$(circle-slash) ticklens",
      "ticklens: the server stopped. Run \"ticklens: Restart server\" to start it again.",
      new vscode.ThemeColor("statusBarItem.warningBackground"),
    );
  }

  failed(reason: string): void {
    this.set(
      "$(error) ticklens",
      `ticklens: ${reason}. Click to see the output.`,
      new vscode.ThemeColor("statusBarItem.errorBackground"),
    );
  }

  private set(text: string, tooltip: string, background: vscode.ThemeColor | undefined): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = background;
  }

  dispose(): void {
    this.item.dispose();
  }
}
