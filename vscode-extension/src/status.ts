// The `deepReview/status` notification and how the status bar item shows it (pure, no vscode).

export type ReviewState = "idle" | "running" | "done" | "failed";

export interface SeverityCounts {
  critical: number;
  important: number;
  suggestion: number;
}

export interface ReviewerStatus {
  name: string;
  state: string;
  detail?: string;
}

export interface ReviewStatus {
  state: ReviewState;
  /** The pipeline stage while running (change, panel, reconcile, store). */
  stage?: string;
  reviewers: ReviewerStatus[];
  counts: SeverityCounts;
  message?: string;
  /** From round 2 on: "round 2: 5 addressed, 2 open, 1 new". */
  round?: string;
}

export interface StatusPresentation {
  text: string;
  tooltip: string;
  /** What screen readers say (the text without icons). */
  label: string;
  /** Command run when the item is clicked. */
  command: string;
  /** Background theme colour id, when the state deserves attention. */
  background?: string;
}

const STATES: readonly ReviewState[] = ["idle", "running", "done", "failed"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;
}

function parseReviewer(raw: unknown): ReviewerStatus | undefined {
  if (typeof raw === "string") {
    return { name: raw, state: "running" };
  }
  if (!isRecord(raw) || typeof raw.name !== "string") {
    return undefined;
  }
  const state = raw.state ?? raw.status;
  const reviewer: ReviewerStatus = {
    name: raw.name,
    state: typeof state === "string" ? state : "running",
  };
  const detail = describeActivity(raw);
  if (detail) {
    reviewer.detail = detail;
  }
  return reviewer;
}

function describeActivity(raw: Record<string, unknown>): string | undefined {
  if (typeof raw.detail === "string" && raw.detail) {
    return raw.detail;
  }
  const parts: string[] = [];
  const calls = raw.tool_calls ?? raw.toolCalls;
  if (typeof calls === "number") {
    parts.push(`${calls} tool call${calls === 1 ? "" : "s"}`);
  }
  const elapsed = raw.elapsedS ?? raw.elapsed_s ?? raw.elapsed;
  if (typeof elapsed === "number") {
    parts.push(`${Math.round(elapsed)}s`);
  }
  if (typeof raw.findings === "number" && raw.findings > 0) {
    parts.push(`${raw.findings} finding${raw.findings === 1 ? "" : "s"}`);
  }
  if (typeof raw.error === "string" && raw.error) {
    parts.push(raw.error);
  }
  return parts.length ? parts.join(", ") : undefined;
}

/** Reads a `deepReview/status` payload defensively; undefined when it is not one. */
export function parseStatus(raw: unknown): ReviewStatus | undefined {
  if (!isRecord(raw) || !STATES.includes(raw.state as ReviewState)) {
    return undefined;
  }
  const counts = isRecord(raw.counts) ? raw.counts : {};
  const reviewers = Array.isArray(raw.reviewers) ? raw.reviewers : [];
  const status: ReviewStatus = {
    state: raw.state as ReviewState,
    reviewers: reviewers.map(parseReviewer).filter((r): r is ReviewerStatus => r !== undefined),
    counts: {
      critical: count(counts.critical),
      important: count(counts.important),
      suggestion: count(counts.suggestion),
    },
  };
  if (typeof raw.message === "string" && raw.message) {
    status.message = raw.message;
  }
  if (typeof raw.stage === "string" && raw.stage) {
    status.stage = raw.stage;
  }
  if (typeof raw.round === "string" && raw.round) {
    status.round = raw.round;
  }
  return status;
}

const FINISHED = new Set(["done", "finished", "complete", "completed", "failed", "error", "cancelled", "timed_out", "skipped"]);

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "1 critical, 2 important, 3 suggestions" (zeros left out; "no findings" when all are zero). */
export function describeCounts(counts: SeverityCounts): string {
  const parts: string[] = [];
  if (counts.critical) {
    parts.push(`${counts.critical} critical`);
  }
  if (counts.important) {
    parts.push(`${counts.important} important`);
  }
  if (counts.suggestion) {
    parts.push(plural(counts.suggestion, "suggestion"));
  }
  return parts.length ? parts.join(", ") : "no findings";
}

function reviewerLines(reviewers: ReviewerStatus[]): string {
  return reviewers
    .map((r) => `${r.name}: ${r.state}${r.detail ? ` (${r.detail})` : ""}`)
    .join("\n");
}

/** What the status bar item shows for a review status. */
export function presentStatus(status: ReviewStatus, title = "Deep Review"): StatusPresentation {
  switch (status.state) {
    case "idle":
      return {
        text: `$(checklist) ${title}`,
        tooltip: `${title}: ready. Click to review the branch.`,
        label: `${title}: ready`,
        command: "deepReview.reviewBranch",
      };
    case "running": {
      const finished = status.reviewers.filter((r) => FINISHED.has(r.state)).length;
      const progress = status.reviewers.length ? ` ${finished}/${status.reviewers.length}` : "";
      const lines = reviewerLines(status.reviewers);
      return {
        text: `$(sync~spin) ${title}${progress}`,
        label: `${title}: reviewing${progress ? `, ${finished} of ${plural(status.reviewers.length, "reviewer")} finished` : ""}`,
        tooltip: `${title}: reviewing${status.stage ? ` (${status.stage})` : ""}…${lines ? `\n${lines}` : ""}\nClick to show the output.`,
        command: "deepReview.showOutput",
      };
    }
    case "done": {
      const { critical, important, suggestion } = status.counts;
      const lines = reviewerLines(status.reviewers);
      const presentation: StatusPresentation = {
        text: `$(error) ${critical} $(warning) ${important} $(info) ${suggestion}`,
        label: `${title}: ${critical} critical, ${important} important, ${suggestion} suggestion${suggestion === 1 ? "" : "s"}${status.round ? `; ${status.round}` : ""}`,
        tooltip: `${title}: ${describeCounts(status.counts)}${status.round ? ` (${status.round})` : ""}${lines ? `\n${lines}` : ""}\nClick to open the report.`,
        command: "deepReview.generateReviewReport",
      };
      if (critical > 0) {
        presentation.background = "statusBarItem.errorBackground";
      } else if (important > 0) {
        presentation.background = "statusBarItem.warningBackground";
      }
      return presentation;
    }
    case "failed":
      return {
        text: `$(error) ${title} failed`,
        label: `${title}: the review failed`,
        tooltip: `${title}: the review failed${status.message ? `: ${status.message}` : ""}.\nClick to show the output.`,
        command: "deepReview.showOutput",
        background: "statusBarItem.errorBackground",
      };
  }
}

/** What the status bar item shows when the server has stopped (crashed or failed to start). */
export function presentStopped(title = "Deep Review"): StatusPresentation {
  return {
    text: `$(debug-disconnect) ${title}`,
    tooltip: `${title}: the server is not running. Click to restart it.`,
    label: `${title}: server stopped`,
    command: "deepReview.restartServer",
    background: "statusBarItem.warningBackground",
  };
}
