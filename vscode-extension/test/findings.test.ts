import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingId, findingsAt, type DiagnosticLike } from "../src/findings";

function diag(code: DiagnosticLike["code"], line: number, from: number, to: number, source = "deep-review"): DiagnosticLike {
  return {
    source,
    code,
    message: "m",
    range: { start: { line, character: from }, end: { line, character: to } },
  };
}

describe("findingId", () => {
  it("reads plain and object codes of our diagnostics only", () => {
    assert.equal(findingId(diag("I2", 0, 0, 1)), "I2");
    assert.equal(findingId(diag({ value: "C1" }, 0, 0, 1)), "C1");
    assert.equal(findingId(diag("E501", 0, 0, 1, "ruff")), undefined);
    assert.equal(findingId(diag(undefined, 0, 0, 1)), undefined);
  });
});

describe("findingsAt", () => {
  it("prefers the finding under the cursor, then the rest of the line", () => {
    const all = [diag("S3", 4, 0, 3), diag("I2", 4, 10, 20), diag("C1", 9, 0, 5), diag("X", 4, 0, 30, "ruff")];
    assert.deepEqual(findingsAt(all, 4, 12), ["I2", "S3"]);
    assert.deepEqual(findingsAt(all, 9, 0), ["C1"]);
    assert.deepEqual(findingsAt(all, 5, 0), []);
  });

  it("covers multi-line ranges", () => {
    const multi: DiagnosticLike = {
      source: "deep-review",
      code: "I7",
      message: "m",
      range: { start: { line: 2, character: 5 }, end: { line: 6, character: 1 } },
    };
    assert.deepEqual(findingsAt([multi], 4, 0), ["I7"]);
  });
});
