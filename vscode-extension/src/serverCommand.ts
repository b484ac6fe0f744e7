// Which command starts the language server (pure: file system and Python access are injected).
import * as path from "node:path";

export interface ServerCommand {
  command: string;
  args: string[];
  /** Where the command came from, for the log. */
  origin: "setting" | "path" | "python-extension";
}

export interface ResolveInputs {
  /** `deepReview.server.command` (empty: not set). */
  configured: readonly string[];
  /** The PATH to search for `deep-review`. */
  pathEnv: string | undefined;
  /** True when the file exists and is executable. */
  isExecutable: (file: string) => boolean;
  /** The interpreter command selected in the Python extension, when it is installed. */
  pythonCommand: readonly string[] | undefined;
  platform?: NodeJS.Platform;
}

export class ServerNotFoundError extends Error {
  constructor() {
    super(
      "Deep Review could not find its language server. Install it into a Python environment " +
        "(`pip install deep-review`) so that `deep-review` is on PATH, select that interpreter in " +
        "the Python extension, or set `deepReview.server.command` " +
        '(e.g. ["/path/to/venv/bin/deep-review", "serve"]).',
    );
    this.name = "ServerNotFoundError";
  }
}

/** Looks `name` up on a PATH string the way a shell would. */
export function findOnPath(
  name: string,
  pathEnv: string | undefined,
  isExecutable: (file: string) => boolean,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (!pathEnv) {
    return undefined;
  }
  const separator = platform === "win32" ? ";" : ":";
  const suffixes = platform === "win32" ? [".exe", ".cmd", ".bat", ""] : [""];
  for (const dir of pathEnv.split(separator)) {
    if (!dir) {
      continue;
    }
    for (const suffix of suffixes) {
      const candidate = path.join(dir, name + suffix);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** The setting wins; then `deep-review` on PATH; then the Python extension's interpreter. */
export function resolveServerCommand(inputs: ResolveInputs): ServerCommand {
  const configured = inputs.configured.filter((part) => part.trim() !== "");
  const [first, ...rest] = configured;
  if (first !== undefined) {
    return { command: first, args: rest, origin: "setting" };
  }
  const onPath = findOnPath("deep-review", inputs.pathEnv, inputs.isExecutable, inputs.platform);
  if (onPath) {
    return { command: onPath, args: ["serve"], origin: "path" };
  }
  const python = inputs.pythonCommand?.filter((part) => part.trim() !== "") ?? [];
  const [interpreter, ...interpreterArgs] = python;
  if (interpreter !== undefined) {
    return {
      command: interpreter,
      args: [...interpreterArgs, "-m", "deep_review", "serve"],
      origin: "python-extension",
    };
  }
  throw new ServerNotFoundError();
}
