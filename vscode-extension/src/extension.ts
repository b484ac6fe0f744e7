// Deep Review for VS Code: starts `deep-review serve` and wires its commands, status and report
// into the UI. All review logic lives in the server.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  ResponseError,
  State,
  ShowDocumentRequest,
  type LanguageClientOptions,
  type ServerOptions,
  type ShowDocumentParams,
  type ShowDocumentResult,
} from "vscode-languageclient/node";
import { DIAGNOSTIC_SOURCE, findingId, findingsAt } from "./findings";
import { makeNonce, pickReportPaths, prepareReportHtml } from "./reportHtml";
import { resolveServerCommand, ServerNotFoundError, type ServerCommand } from "./serverCommand";
import {
  buildServerEnv,
  isValidVariableName,
  KNOWN_KEY_VARIABLES,
  maskSecrets,
  secretKey,
} from "./serverEnv";
import {
  parseStatus,
  presentStatus,
  presentStopped,
  type ReviewStatus,
  type StatusPresentation,
} from "./status";

const KEY_NAMES_STATE = "deepReview.apiKeyNames";
const SETTINGS_SECTION = "deepReview";

let controller: Controller | undefined;

/** Called by VS Code when a workspace with a git repository opens. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  controller = new Controller(context);
  controller.registerCommands();
  await controller.start();
}

/** Stops the language server with the window. */
export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}

class Controller {
  private client: LanguageClient | undefined;
  /** The server start in progress: commands wait for it instead of failing. */
  private starting: Promise<void> | undefined;
  private readonly output: vscode.LogOutputChannel;
  private readonly statusItem: vscode.StatusBarItem;
  private reportPanel: vscode.WebviewPanel | undefined;
  private reportShownAt = 0;
  private keys = new Map<string, string>();

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel("Deep Review", { log: true });
    this.statusItem = vscode.window.createStatusBarItem("deepReview.status", vscode.StatusBarAlignment.Left, 10);
    this.statusItem.name = "Deep Review";
    context.subscriptions.push(this.output, this.statusItem);
    this.showStatus({ state: "idle", reviewers: [], counts: { critical: 0, important: 0, suggestion: 0 } });
    this.statusItem.show();
    context.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SETTINGS_SECTION}.server`)) {
          void this.restart();
        }
      }),
    );
  }

  registerCommands(): void {
    const register = (id: string, run: (...args: unknown[]) => unknown): void => {
      this.context.subscriptions.push(
        vscode.commands.registerCommand(id, async (...args: unknown[]) => {
          try {
            await run(...args);
          } catch (error) {
            this.reportError(`${id} failed`, error);
          }
        }),
      );
    };
    register("deepReview.reviewBranch", () => this.executeOnServer("deepReview.run"));
    register("deepReview.cancelReview", () => this.executeOnServer("deepReview.cancel"));
    register("deepReview.generateReviewReport", () => this.generateReport());
    register("deepReview.applyFixAtCursor", (id) => this.onFinding("deepReview.applyFix", id, "apply the fix of"));
    register("deepReview.dismissFinding", (id) => this.onFinding("deepReview.dismiss", id, "dismiss"));
    register("deepReview.showOutput", () => {
      this.output.show(true);
    });
    register("deepReview.restartServer", () => this.restart());
    register("deepReview.setApiKey", () => this.setApiKey());
    register("deepReview.clearApiKey", () => this.clearApiKey());
  }

  async start(): Promise<void> {
    this.starting = this.startServer();
    try {
      await this.starting;
    } finally {
      this.starting = undefined;
    }
  }

  private async startServer(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      this.output.info("No folder is open; the Deep Review server starts with a workspace folder.");
      return;
    }
    let server: ServerCommand;
    try {
      server = resolveServerCommand({
        configured: configuration().get<string[]>("server.command") ?? [],
        serverPath: configuration().get<string>("server.path") ?? "",
        pathEnv: process.env.PATH,
        homeDir: os.homedir(),
        isExecutable,
        pythonCommand: await pythonExtensionCommand(folder.uri),
      });
    } catch (error) {
      if (error instanceof ServerNotFoundError) {
        this.output.error(error.message);
        const choice = await vscode.window.showErrorMessage(error.message, "Open Settings", "Show Output");
        if (choice === "Open Settings") {
          await vscode.commands.executeCommand("workbench.action.openSettings", "deepReview.server");
        } else if (choice === "Show Output") {
          this.output.show();
        }
        return;
      }
      throw error;
    }
    this.keys = await this.loadKeys();
    this.output.info(`Starting the server (${server.origin}): ${[server.command, ...server.args].join(" ")}`);
    const serverOptions: ServerOptions = {
      command: server.command,
      args: server.args,
      options: { cwd: folder.uri.fsPath, env: buildServerEnv(process.env, this.keys) },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file" }],
      workspaceFolder: folder,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      initializationOptions: currentSettings(),
      synchronize: { configurationSection: SETTINGS_SECTION },
      middleware: {
        window: {
          showDocument: async (params, token, next) => this.showDocument(params, token, next),
        },
      },
    };
    const client = new LanguageClient(SETTINGS_SECTION, "Deep Review", serverOptions, clientOptions);
    this.client = client;
    this.context.subscriptions.push(
      client.onNotification("deepReview/status", (raw: unknown) => {
        const status = parseStatus(raw);
        if (status) {
          this.showStatus(status);
        }
      }),
    );
    this.context.subscriptions.push(
      client.onDidChangeState(({ newState }) => {
        // A restart replaces the client: only the current one's stop is news.
        if (newState === State.Stopped && this.client === client) {
          this.present(presentStopped());
        }
      }),
    );
    try {
      await client.start();
    } catch (error) {
      this.reportError("The Deep Review server did not start", error);
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.stop(5000).catch((error: unknown) => {
        this.output.warn(`Stopping the server: ${errorText(error)}`);
      });
    }
  }

  async restart(): Promise<void> {
    this.output.info("Restarting the server.");
    await this.stop();
    this.showStatus({ state: "idle", reviewers: [], counts: { critical: 0, important: 0, suggestion: 0 } });
    await this.start();
  }

  private showStatus(status: ReviewStatus): void {
    this.present(presentStatus(status));
  }

  private present(shown: StatusPresentation): void {
    this.statusItem.text = shown.text;
    this.statusItem.tooltip = shown.tooltip;
    this.statusItem.accessibilityInformation = { label: shown.label, role: "button" };
    this.statusItem.command = shown.command;
    this.statusItem.backgroundColor = shown.background ? new vscode.ThemeColor(shown.background) : undefined;
  }

  private async executeOnServer(command: string, args: unknown[] = []): Promise<unknown> {
    await this.starting;
    const client = this.client;
    if (!client?.isRunning()) {
      throw new Error("the Deep Review server is not running (see Deep Review: Show output)");
    }
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  private async generateReport(): Promise<void> {
    const requestedAt = Date.now();
    const result = await this.executeOnServer("deepReview.generateReport");
    if (this.reportShownAt >= requestedAt) {
      return; // The server already asked us to show it (window/showDocument).
    }
    const paths = pickReportPaths(result);
    if (paths.html) {
      this.openHtmlReport(vscode.Uri.file(paths.html));
    } else if (paths.markdown) {
      await vscode.commands.executeCommand("markdown.showPreview", vscode.Uri.file(paths.markdown));
    } else {
      void vscode.window.showInformationMessage("Deep Review: there is no review to report on yet. Run \"Deep Review: Review branch\" first.");
    }
  }

  private async showDocument(
    params: ShowDocumentParams,
    token: vscode.CancellationToken,
    next: ShowDocumentRequest.HandlerSignature,
  ): Promise<ShowDocumentResult | ResponseError> {
    const uri = vscode.Uri.parse(params.uri);
    if (uri.scheme === "file" && uri.path.endsWith(".html")) {
      this.openHtmlReport(uri);
      return { success: true };
    }
    if (uri.scheme === "file" && uri.path.endsWith(".md") && uri.path.includes("/.deep-review/")) {
      this.reportShownAt = Date.now();
      await vscode.commands.executeCommand("markdown.showPreview", uri);
      return { success: true };
    }
    return await next(params, token);
  }

  private openHtmlReport(uri: vscode.Uri): void {
    this.reportShownAt = Date.now();
    const folder = vscode.Uri.joinPath(uri, "..");
    if (!this.reportPanel) {
      this.reportPanel = vscode.window.createWebviewPanel(
        "deepReview.report",
        "Deep Review report",
        vscode.ViewColumn.Beside,
        { enableScripts: true, localResourceRoots: [folder], enableFindWidget: true },
      );
      this.reportPanel.onDidDispose(() => {
        this.reportPanel = undefined;
      });
    }
    const html = fs.readFileSync(uri.fsPath, "utf8");
    const nonce = makeNonce((size) => crypto.randomBytes(size));
    this.reportPanel.webview.options = { enableScripts: true, localResourceRoots: [folder] };
    this.reportPanel.webview.html = prepareReportHtml(html, this.reportPanel.webview.cspSource, nonce);
    this.reportPanel.reveal(undefined, true);
  }

  /** Runs a finding command on the given ID, the finding under the cursor, or one picked. */
  private async onFinding(command: string, given: unknown, verb: string): Promise<void> {
    const id = typeof given === "string" && given ? given : await this.chooseFinding(verb);
    if (id) {
      await this.executeOnServer(command, [id]);
    }
  }

  private async chooseFinding(verb: string): Promise<string | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (editor) {
      const position = editor.selection.active;
      const here = findingsAt(vscode.languages.getDiagnostics(editor.document.uri), position.line, position.character);
      if (here.length === 1) {
        return here[0];
      }
    }
    const items: (vscode.QuickPickItem & { id: string })[] = [];
    for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
      for (const diagnostic of diagnostics) {
        const id = findingId(diagnostic);
        if (id && diagnostic.source === DIAGNOSTIC_SOURCE) {
          items.push({
            id,
            label: id,
            description: diagnostic.message,
            detail: `${vscode.workspace.asRelativePath(uri)}:${diagnostic.range.start.line + 1}`,
          });
        }
      }
    }
    if (items.length === 0) {
      void vscode.window.showInformationMessage("Deep Review: no findings to choose from.");
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(items, { placeHolder: `Which finding do you want to ${verb}?` });
    return picked?.id;
  }

  private async loadKeys(): Promise<Map<string, string>> {
    const keys = new Map<string, string>();
    for (const name of this.context.globalState.get<string[]>(KEY_NAMES_STATE, [])) {
      const value = await this.context.secrets.get(secretKey(name));
      if (value) {
        keys.set(name, value);
      }
    }
    return keys;
  }

  private async setApiKey(): Promise<void> {
    const other = "Other environment variable…";
    let name = await vscode.window.showQuickPick([...KNOWN_KEY_VARIABLES, other], {
      placeHolder: "Which API key? (the environment variable the reviewer's api_key_env names)",
    });
    if (name === other) {
      name = await vscode.window.showInputBox({
        prompt: "Environment variable name",
        validateInput: (value) => (isValidVariableName(value) ? undefined : "Letters, digits and _ only, not starting with a digit."),
      });
    }
    if (!name) {
      return;
    }
    const value = await vscode.window.showInputBox({
      prompt: `Value for ${name} (kept in VS Code's secret storage, passed only to the Deep Review server)`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (text.trim() ? undefined : "The key cannot be empty."),
    });
    if (!value) {
      return;
    }
    await this.context.secrets.store(secretKey(name), value.trim());
    const names = new Set(this.context.globalState.get<string[]>(KEY_NAMES_STATE, []));
    names.add(name);
    await this.context.globalState.update(KEY_NAMES_STATE, [...names]);
    this.output.info(`Stored ${name} in secret storage; restarting the server so it sees the key.`);
    await this.restart();
  }

  private async clearApiKey(): Promise<void> {
    const names = this.context.globalState.get<string[]>(KEY_NAMES_STATE, []);
    if (names.length === 0) {
      void vscode.window.showInformationMessage("Deep Review: no API keys are stored.");
      return;
    }
    const name = await vscode.window.showQuickPick(names, { placeHolder: "Which API key to remove?" });
    if (!name) {
      return;
    }
    await this.context.secrets.delete(secretKey(name));
    await this.context.globalState.update(KEY_NAMES_STATE, names.filter((n) => n !== name));
    this.output.info(`Removed ${name} from secret storage; restarting the server.`);
    await this.restart();
  }

  private reportError(what: string, error: unknown): void {
    const message = `${what}: ${maskSecrets(errorText(error), this.keys)}`;
    this.output.error(message);
    void vscode.window.showErrorMessage(`Deep Review: ${message}`, "Show Output").then((choice) => {
      if (choice) {
        this.output.show();
      }
    });
  }
}

function configuration(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION);
}

/** The `deepReview` settings the server reads (also sent as initializationOptions). */
function currentSettings(): Record<string, unknown> {
  const config = configuration();
  return {
    reviewers: config.get<string[]>("reviewers", []),
    baseRef: config.get<string>("baseRef", ""),
    runMode: config.get<string>("runMode", "manual"),
    includeUncommitted: config.get<boolean>("includeUncommitted", true),
    minimumSeverity: config.get<string>("minimumSeverity", "suggestion"),
  };
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

interface PythonExtensionApi {
  settings?: { getExecutionDetails?: (resource?: vscode.Uri) => { execCommand?: string[] } };
  environments?: { getActiveEnvironmentPath?: (resource?: vscode.Uri) => { path?: string } };
}

/** The interpreter selected in the Python extension, when that extension is installed. */
async function pythonExtensionCommand(resource: vscode.Uri): Promise<string[] | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
  if (!extension) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const command = api.settings?.getExecutionDetails?.(resource).execCommand;
    if (command?.length) {
      return command;
    }
    const interpreter = api.environments?.getActiveEnvironmentPath?.(resource).path;
    return interpreter ? [interpreter] : undefined;
  } catch {
    return undefined;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
