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
import { folderContaining, reviewableFolders, statusTitle } from "./folders";
import { makeNonce, pickReportPaths, prepareReportHtml } from "./reportHtml";
import { SerialQueue } from "./serialQueue";
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

/** Stops the language servers with the window. */
export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}

/** One language server per workspace folder (each folder is its own repository). */
interface FolderServer {
  readonly folder: vscode.WorkspaceFolder;
  readonly client: LanguageClient;
  /** This client's listeners: disposed when it stops, so restarts do not pile them up. */
  readonly listeners: { dispose(): unknown }[];
  status: ReviewStatus | "stopped";
}

const IDLE: ReviewStatus = { state: "idle", reviewers: [], counts: { critical: 0, important: 0, suggestion: 0 } };

class Controller {
  private readonly servers = new Map<string, FolderServer>();
  /** Starts, stops and restarts run one at a time: overlapping restarts cannot orphan a server. */
  private readonly lifecycle = new SerialQueue();
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
    this.refreshStatus();
    this.statusItem.show();
    context.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SETTINGS_SECTION}.server`)) {
          void this.restart();
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders((event) => {
        void this.lifecycle.run(async () => {
          for (const folder of event.removed) {
            await this.stopFolder(folder.uri.toString());
          }
          for (const folder of reviewableFolders(event.added)) {
            await this.startFolder(folder);
          }
          this.refreshStatus();
        });
      }),
      vscode.window.onDidChangeActiveTextEditor(() => {
        this.refreshStatus();
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

  /** Starts a server for every workspace folder on disk. */
  start(): Promise<void> {
    return this.lifecycle.run(() => this.startAll());
  }

  /** Stops every server (the window is closing). */
  stop(): Promise<void> {
    return this.lifecycle.run(() => this.stopAll());
  }

  async restart(): Promise<void> {
    await this.lifecycle.run(async () => {
      this.output.info("Restarting the server.");
      await this.stopAll();
      await this.startAll();
    });
  }

  private async startAll(): Promise<void> {
    const folders = reviewableFolders(vscode.workspace.workspaceFolders);
    if (folders.length === 0) {
      this.output.info("No folder is open; the Deep Review server starts with a workspace folder.");
      this.refreshStatus();
      return;
    }
    this.keys = await this.loadKeys();
    for (const folder of folders) {
      await this.startFolder(folder);
    }
    this.refreshStatus();
  }

  private async stopAll(): Promise<void> {
    for (const key of [...this.servers.keys()]) {
      await this.stopFolder(key);
    }
    this.refreshStatus();
  }

  private async startFolder(folder: vscode.WorkspaceFolder): Promise<void> {
    const key = folder.uri.toString();
    if (this.servers.has(key)) {
      return;
    }
    let server: ServerCommand;
    try {
      server = resolveServerCommand({
        configured: configuration(folder.uri).get<string[]>("server.command") ?? [],
        serverPath: configuration(folder.uri).get<string>("server.path") ?? "",
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
    this.output.info(`Starting the server for ${folder.name} (${server.origin}): ${[server.command, ...server.args].join(" ")}`);
    const serverOptions: ServerOptions = {
      command: server.command,
      args: server.args,
      options: { cwd: folder.uri.fsPath, env: buildServerEnv(process.env, this.keys) },
    };
    const clientOptions: LanguageClientOptions = {
      // Each server sees only its own folder's files (the official multi-root sample's shape).
      documentSelector: [{ scheme: "file", pattern: `${folder.uri.fsPath}/**/*` }],
      workspaceFolder: folder,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      initializationOptions: currentSettings(folder.uri),
      synchronize: { configurationSection: SETTINGS_SECTION },
      middleware: {
        window: {
          showDocument: async (params, token, next) => this.showDocument(params, token, next),
        },
      },
    };
    const client = new LanguageClient(SETTINGS_SECTION, "Deep Review", serverOptions, clientOptions);
    const entry: FolderServer = { folder, client, listeners: [], status: IDLE };
    entry.listeners.push(
      client.onNotification("deepReview/status", (raw: unknown) => {
        const status = parseStatus(raw);
        if (status) {
          entry.status = status;
          this.refreshStatus();
        }
      }),
      client.onDidChangeState(({ newState }) => {
        // A restart replaces the client: only the current one's stop is news.
        if (newState === State.Stopped && this.servers.get(key) === entry) {
          entry.status = "stopped";
          this.refreshStatus();
        }
      }),
    );
    this.servers.set(key, entry);
    try {
      await client.start();
    } catch (error) {
      this.reportError(`The Deep Review server for ${folder.name} did not start`, error);
    }
  }

  private async stopFolder(key: string): Promise<void> {
    const entry = this.servers.get(key);
    if (!entry) {
      return;
    }
    this.servers.delete(key);
    for (const listener of entry.listeners.splice(0)) {
      listener.dispose();
    }
    await entry.client.stop(5000).catch((error: unknown) => {
      this.output.warn(`Stopping the server for ${entry.folder.name}: ${errorText(error)}`);
    });
  }

  /** The server of the active editor's folder, else the only one, else none. */
  private activeServer(): FolderServer | undefined {
    const entries = [...this.servers.values()];
    const document = vscode.window.activeTextEditor?.document;
    if (document?.uri.scheme === "file") {
      const folder = folderContaining(
        entries.map((entry) => entry.folder),
        document.uri.fsPath,
      );
      const found = entries.find((entry) => entry.folder === folder);
      if (found) {
        return found;
      }
    }
    return entries.length === 1 ? entries[0] : undefined;
  }

  /** The server a command runs on: the file's folder, the active one, or the one the user picks. */
  private async targetServer(uri?: vscode.Uri): Promise<FolderServer | undefined> {
    const entries = [...this.servers.values()];
    if (uri) {
      const folder = folderContaining(
        entries.map((entry) => entry.folder),
        uri.fsPath,
      );
      const found = entries.find((entry) => entry.folder === folder);
      if (found) {
        return found;
      }
    }
    const active = this.activeServer();
    if (active || entries.length === 0) {
      return active;
    }
    const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: "Which folder's review?" });
    return entries.find((entry) => entry.folder.uri.toString() === picked?.uri.toString());
  }

  private refreshStatus(): void {
    const entry = this.activeServer() ?? this.servers.values().next().value;
    const title = statusTitle(entry?.folder.name, this.servers.size);
    if (entry?.status === "stopped") {
      this.present(presentStopped(title));
    } else {
      this.present(presentStatus(entry?.status ?? IDLE, title));
    }
  }

  private present(shown: StatusPresentation): void {
    this.statusItem.text = shown.text;
    this.statusItem.tooltip = shown.tooltip;
    this.statusItem.accessibilityInformation = { label: shown.label, role: "button" };
    this.statusItem.command = shown.command;
    this.statusItem.backgroundColor = shown.background ? new vscode.ThemeColor(shown.background) : undefined;
  }

  private async executeOnServer(command: string, args: unknown[] = [], uri?: vscode.Uri): Promise<unknown> {
    await this.lifecycle.idle();
    const client = (await this.targetServer(uri))?.client;
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
    const chosen =
      typeof given === "string" && given
        ? { id: given, uri: vscode.window.activeTextEditor?.document.uri }
        : await this.chooseFinding(verb);
    if (chosen) {
      await this.executeOnServer(command, [chosen.id], chosen.uri);
    }
  }

  private async chooseFinding(verb: string): Promise<{ id: string; uri?: vscode.Uri } | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (editor) {
      const position = editor.selection.active;
      const here = findingsAt(vscode.languages.getDiagnostics(editor.document.uri), position.line, position.character);
      const [only] = here;
      if (here.length === 1 && only) {
        return { id: only, uri: editor.document.uri };
      }
    }
    const items: (vscode.QuickPickItem & { id: string; uri: vscode.Uri })[] = [];
    for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
      for (const diagnostic of diagnostics) {
        const id = findingId(diagnostic);
        if (id && diagnostic.source === DIAGNOSTIC_SOURCE) {
          items.push({
            id,
            uri,
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
    return picked ? { id: picked.id, uri: picked.uri } : undefined;
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

function configuration(scope?: vscode.Uri): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
}

/** The `deepReview` settings the server reads (also sent as initializationOptions). */
function currentSettings(scope: vscode.Uri): Record<string, unknown> {
  const config = configuration(scope);
  return {
    reviewers: config.get<string[]>("reviewers", []),
    baseRef: config.get<string>("baseRef", ""),
    runMode: config.get<string>("runMode", "manual"),
    debounceMs: config.get<number>("debounceMs", 1500),
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
