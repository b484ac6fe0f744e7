import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeCounts, parseStatus, presentStatus, presentStopped } from "../src/status";

describe("parseStatus", () => {
  it("reads a running status with reviewer objects", () => {
    const status = parseStatus({
      state: "running",
      reviewers: [
        { name: "claude", state: "running", tool_calls: 3, elapsed_s: 12.4 },
        { name: "gpt", status: "done" },
      ],
      counts: { critical: 0, important: 0, suggestion: 0 },
    });
    assert.deepEqual(status, {
      state: "running",
      reviewers: [
        { name: "claude", state: "running", detail: "3 tool calls, 12s" },
        { name: "gpt", state: "done" },
      ],
      counts: { critical: 0, important: 0, suggestion: 0 },
    });
  });

  it("reads the language server's own reviewer shape", () => {
    const status = parseStatus({
      state: "running",
      stage: "panel",
      reviewers: [
        { name: "claude", state: "running", toolCalls: 1, elapsedS: 4.6, findings: 0 },
        { name: "gpt", state: "done", toolCalls: 5, elapsedS: 30, findings: 2 },
        { name: "gemini", state: "failed", toolCalls: 0, elapsedS: 1, findings: 0, error: "no API key" },
      ],
      counts: { critical: 0, important: 0, suggestion: 0 },
    });
    assert.ok(status);
    assert.equal(status.stage, "panel");
    assert.deepEqual(
      status.reviewers.map((r) => `${r.name}: ${r.state} (${r.detail ?? ""})`),
      [
        "claude: running (1 tool call, 5s)",
        "gpt: done (5 tool calls, 30s, 2 findings)",
        "gemini: failed (0 tool calls, 1s, no API key)",
      ],
    );
    assert.match(presentStatus(status).tooltip, /reviewing \(panel\)/);
  });

  it("accepts reviewer names as plain strings and missing counts", () => {
    const status = parseStatus({ state: "running", reviewers: ["claude", 7, { bad: true }] });
    assert.ok(status);
    assert.deepEqual(status.reviewers, [{ name: "claude", state: "running" }]);
    assert.deepEqual(status.counts, { critical: 0, important: 0, suggestion: 0 });
  });

  it("rejects payloads that are not a status", () => {
    assert.equal(parseStatus(undefined), undefined);
    assert.equal(parseStatus({ state: "exploded" }), undefined);
    assert.equal(parseStatus(["running"]), undefined);
  });

  it("drops negative and non-numeric counts", () => {
    const status = parseStatus({ state: "done", counts: { critical: -1, important: "2", suggestion: 2.7 } });
    assert.deepEqual(status?.counts, { critical: 0, important: 0, suggestion: 2 });
  });
});

describe("presentStatus", () => {
  it("spins while running and lists each reviewer's state in the tooltip", () => {
    const shown = presentStatus({
      state: "running",
      reviewers: [
        { name: "claude", state: "running", detail: "2 tool calls" },
        { name: "gpt", state: "done" },
        { name: "gemini", state: "failed" },
      ],
      counts: { critical: 0, important: 0, suggestion: 0 },
    });
    assert.equal(shown.text, "$(sync~spin) Deep Review 2/3");
    assert.equal(shown.label, "Deep Review: reviewing, 2 of 3 reviewers finished");
    assert.match(shown.tooltip, /claude: running \(2 tool calls\)/);
    assert.match(shown.tooltip, /gpt: done/);
    assert.match(shown.tooltip, /gemini: failed/);
    assert.equal(shown.command, "deepReview.showOutput");
  });

  it("says '1 reviewer', not '1 reviewers', for a panel of one", () => {
    const shown = presentStatus({
      state: "running",
      reviewers: [{ name: "claude", state: "done" }],
      counts: { critical: 0, important: 0, suggestion: 0 },
    });
    assert.equal(shown.label, "Deep Review: reviewing, 1 of 1 reviewer finished");
  });

  it("shows counts by severity when done and opens the report on click", () => {
    const shown = presentStatus({
      state: "done",
      reviewers: [],
      counts: { critical: 1, important: 2, suggestion: 3 },
    });
    assert.equal(shown.text, "$(error) 1 $(warning) 2 $(info) 3");
    assert.equal(shown.label, "Deep Review: 1 critical, 2 important, 3 suggestions");
    assert.match(shown.tooltip, /1 critical, 2 important, 3 suggestions/);
    assert.equal(shown.command, "deepReview.generateReviewReport");
    assert.equal(shown.background, "statusBarItem.errorBackground");
  });

  it("says what became of the previous round from round 2 on", () => {
    const status = parseStatus({
      state: "done",
      counts: { critical: 0, important: 1, suggestion: 2 },
      round: "round 2: 5 addressed, 2 open, 1 new",
    });
    assert.ok(status);
    const shown = presentStatus(status);
    assert.match(shown.tooltip, /\(round 2: 5 addressed, 2 open, 1 new\)/);
    assert.match(shown.label, /; round 2: 5 addressed, 2 open, 1 new$/);
    assert.equal(parseStatus({ state: "done", counts: {}, round: null })?.round, undefined);
  });

  it("uses the warning colour when the worst finding is important", () => {
    const shown = presentStatus({ state: "done", reviewers: [], counts: { critical: 0, important: 1, suggestion: 0 } });
    assert.equal(shown.background, "statusBarItem.warningBackground");
  });

  it("says why a review failed", () => {
    const shown = presentStatus({
      state: "failed",
      reviewers: [],
      counts: { critical: 0, important: 0, suggestion: 0 },
      message: "base ref origin/main not found",
    });
    assert.equal(shown.text, "$(error) Deep Review failed");
    assert.match(shown.tooltip, /base ref origin\/main not found/);
  });

  it("invites a review when idle", () => {
    const shown = presentStatus({ state: "idle", reviewers: [], counts: { critical: 0, important: 0, suggestion: 0 } });
    assert.equal(shown.command, "deepReview.reviewBranch");
  });
});

describe("describeCounts", () => {
  it("leaves zeros out and pluralises suggestions", () => {
    assert.equal(describeCounts({ critical: 0, important: 0, suggestion: 1 }), "1 suggestion");
    assert.equal(describeCounts({ critical: 2, important: 0, suggestion: 0 }), "2 critical");
    assert.equal(describeCounts({ critical: 0, important: 0, suggestion: 0 }), "no findings");
  });
});

describe("presentStopped", () => {
  it("offers a restart when the server is not running", () => {
    const shown = presentStopped();
    assert.equal(shown.command, "deepReview.restartServer");
    assert.match(shown.tooltip, /not running/);
  });
});

describe("presentStatus in a multi-root workspace", () => {
  it("names the folder in the text, label and tooltip", () => {
    const shown = presentStatus({ state: "done", reviewers: [], counts: { critical: 1, important: 0, suggestion: 2 } }, "Deep Review (api)");
    assert.equal(shown.label, "Deep Review (api): 1 critical, 0 important, 2 suggestions");
    assert.match(shown.tooltip, /^Deep Review \(api\): /);
    assert.equal(presentStopped("Deep Review (web)").label, "Deep Review (web): server stopped");
  });
});
