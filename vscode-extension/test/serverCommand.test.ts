import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findOnPath, resolveServerCommand, ServerNotFoundError } from "../src/serverCommand";

const executables = (...files: string[]) => (file: string) => files.includes(file);

describe("resolveServerCommand", () => {
  it("uses the configured command first", () => {
    const resolved = resolveServerCommand({
      configured: ["/venv/bin/deep-review", "serve", "--verbose"],
      pathEnv: "/usr/bin",
      isExecutable: executables("/usr/bin/deep-review"),
      pythonCommand: ["/usr/bin/python3"],
    });
    assert.deepEqual(resolved, {
      command: "/venv/bin/deep-review",
      args: ["serve", "--verbose"],
      origin: "setting",
    });
  });

  it("ignores blank entries in the setting and falls back to PATH", () => {
    const resolved = resolveServerCommand({
      configured: ["  "],
      pathEnv: "/opt/none:/home/me/.local/bin",
      isExecutable: executables("/home/me/.local/bin/deep-review"),
      pythonCommand: undefined,
      platform: "linux",
    });
    assert.deepEqual(resolved, {
      command: "/home/me/.local/bin/deep-review",
      args: ["serve"],
      origin: "path",
    });
  });

  it("falls back to the Python extension's interpreter with -m deep_review", () => {
    const resolved = resolveServerCommand({
      configured: [],
      pathEnv: "/usr/bin",
      isExecutable: executables(),
      pythonCommand: ["conda", "run", "-n", "dev", "python"],
    });
    assert.deepEqual(resolved, {
      command: "conda",
      args: ["run", "-n", "dev", "python", "-m", "deep_review", "serve"],
      origin: "python-extension",
    });
  });

  it("raises a clear error naming every way to fix it", () => {
    assert.throws(
      () =>
        resolveServerCommand({
          configured: [],
          pathEnv: undefined,
          isExecutable: executables(),
          pythonCommand: undefined,
        }),
      (error: unknown) => {
        assert.ok(error instanceof ServerNotFoundError);
        assert.match(error.message, /bash scripts\/setup\.sh/);
        assert.match(error.message, /deepReview\.server\.path/);
        assert.match(error.message, /deepReview\.server\.command/);
        assert.match(error.message, /Python extension/);
        // The PyPI name is an unrelated project: the message must never tell users to install it.
        assert.doesNotMatch(error.message, /pip install deep-review/);
        return true;
      },
    );
  });

  it("finds the server in a clone set up by scripts/setup.sh via deepReview.server.path", () => {
    const resolved = resolveServerCommand({
      configured: [],
      serverPath: "/home/me/src/deep-review",
      pathEnv: "/usr/bin",
      isExecutable: executables("/home/me/src/deep-review/.venv/bin/deep-review", "/usr/bin/deep-review"),
      pythonCommand: undefined,
      platform: "linux",
    });
    assert.deepEqual(resolved, {
      command: "/home/me/src/deep-review/.venv/bin/deep-review",
      args: ["serve"],
      origin: "server-path",
    });
  });

  it("takes deepReview.server.path as the executable itself", () => {
    const resolved = resolveServerCommand({
      configured: [],
      serverPath: "/opt/dr/bin/deep-review",
      pathEnv: undefined,
      isExecutable: executables("/opt/dr/bin/deep-review"),
      pythonCommand: undefined,
      platform: "linux",
    });
    assert.equal(resolved.command, "/opt/dr/bin/deep-review");
  });

  it("says so when deepReview.server.path points nowhere, instead of silently using PATH", () => {
    assert.throws(
      () =>
        resolveServerCommand({
          configured: [],
          serverPath: "/nowhere",
          pathEnv: "/usr/bin",
          isExecutable: executables("/usr/bin/deep-review"),
          pythonCommand: undefined,
          platform: "linux",
        }),
      (error: unknown) => error instanceof ServerNotFoundError && /\/nowhere/.test(error.message),
    );
  });

  it("finds a pipx install in ~/.local/bin when the editor's PATH lacks it", () => {
    const resolved = resolveServerCommand({
      configured: [],
      pathEnv: "/usr/bin",
      homeDir: "/home/me",
      isExecutable: executables("/home/me/.local/bin/deep-review"),
      pythonCommand: ["/usr/bin/python3"],
      platform: "linux",
    });
    assert.deepEqual(resolved, { command: "/home/me/.local/bin/deep-review", args: ["serve"], origin: "pipx" });
  });
});

describe("findOnPath", () => {
  it("takes the first PATH entry that has the program", () => {
    const found = findOnPath("deep-review", "/a::/b:/c", executables("/b/deep-review", "/c/deep-review"), "linux");
    assert.equal(found, "/b/deep-review");
  });

  it("tries Windows executable suffixes", () => {
    const found = findOnPath("deep-review", "C:\\x;C:\\y", (f) => f.endsWith("deep-review.exe") && f.includes("y"), "win32");
    assert.ok(found?.endsWith("deep-review.exe"));
  });
});
