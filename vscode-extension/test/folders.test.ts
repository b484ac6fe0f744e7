import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { folderContaining, reviewableFolders, statusTitle, type FolderLike } from "../src/folders";

function folder(fsPath: string, scheme = "file"): FolderLike {
  return { uri: { scheme, fsPath }, name: path.posix.basename(fsPath) };
}

describe("reviewableFolders", () => {
  it("keeps folders on disk only", () => {
    const local = folder("/work/api");
    assert.deepEqual(reviewableFolders([local, folder("/remote", "vscode-vfs")]), [local]);
    assert.deepEqual(reviewableFolders(undefined), []);
  });
});

describe("folderContaining", () => {
  const api = folder("/work/api");
  const web = folder("/work/web");
  const nested = folder("/work/api/vendor/lib");
  const folders = [api, web, nested];

  it("finds the folder a file is in", () => {
    assert.equal(folderContaining(folders, "/work/web/src/app.ts", path.posix), web);
    assert.equal(folderContaining(folders, "/work/api", path.posix), api);
  });

  it("prefers the innermost of nested folders", () => {
    assert.equal(folderContaining(folders, "/work/api/vendor/lib/x.py", path.posix), nested);
    assert.equal(folderContaining(folders, "/work/api/vendor/other.py", path.posix), api);
  });

  it("does not mistake a sibling with a common prefix for the folder", () => {
    assert.equal(folderContaining(folders, "/work/api-docs/readme.md", path.posix), undefined);
    assert.equal(folderContaining(folders, "/elsewhere/file.py", path.posix), undefined);
  });
});

describe("statusTitle", () => {
  it("names the folder only in a multi-root workspace", () => {
    assert.equal(statusTitle("api", 1), "Deep Review");
    assert.equal(statusTitle("api", 2), "Deep Review (api)");
    assert.equal(statusTitle(undefined, 2), "Deep Review");
  });
});
