import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

// Compiled to out-test/test/: the extension's folder is two levels up.
const root = path.resolve(__dirname, "..", "..");

describe("contributed settings", () => {
  it("are exactly the settings the README documents", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
      contributes: { configuration: { properties: Record<string, unknown> } };
    };
    const contributed = Object.keys(manifest.contributes.configuration.properties).sort();
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const documented = [...readme.matchAll(/^\| `(deepReview\.[\w.]+)` \|/gm)].map((m) => m[1]).sort();
    assert.deepEqual(documented, contributed);
  });
});
