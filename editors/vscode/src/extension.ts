// Starts `sblint lsp` for SBPL documents and restarts it when its settings change.
import * as path from "node:path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/** `sblint lsp` and its flags, from the `sblint.*` settings. */
export function serverCommand(config: vscode.WorkspaceConfiguration): { command: string; args: string[] } {
  const command = config.get<string>("path", "sblint").trim() || "sblint";
  const args = ["lsp"];
  const macos = config.get<string>("macos", "").trim();
  if (macos !== "") {
    args.push("--macos", macos);
  }
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  for (const dir of config.get<string[]>("importPaths", [])) {
    const full = path.isAbsolute(dir) || base === undefined ? dir : path.join(base, dir);
    args.push("--import-path", full);
  }
  return { command, args };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const { command, args } = serverCommand(vscode.workspace.getConfiguration("sblint"));
  const serverOptions: ServerOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "sbpl" },
      { scheme: "untitled", language: "sbpl" },
    ],
  };
  client = new LanguageClient("sblint", "sblint", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    client = undefined;
    const message = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(
      `sblint: could not start \`${command} ${args.join(" ")}\` (${message}). ` +
        "Install sblint (cargo install sblint) or set `sblint.path`.",
    );
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("sblint")) {
        await client?.stop();
        await start(context);
      }
    }),
    vscode.commands.registerCommand("sblint.restart", async () => {
      await client?.stop();
      await start(context);
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
