// Which command starts the language server (pure: file system and Python access are injected).
import * as path from "node:path";

export interface ServerCommand {
  command: string;
  args: string[];
  /** Where the command came from, for the log. */
  origin: "setting" | "server-path" | "path" | "pipx" | "python-extension";
}

export interface ResolveInputs {
  /** `deepReview.server.command` (empty: not set). */
  configured: readonly string[];
  /**
   * `deepReview.server.path` (empty: not set): the `deep-review` executable, or the folder of a
   * Deep Review clone set up with `bash scripts/setup.sh` (its `.venv/bin/deep-review`).
   */
  serverPath?: string;
  /** The PATH to search for `deep-review`. */
  pathEnv: string | undefined;
  /** The user's home folder (pipx installs to `~/.local/bin`, often missing from a GUI's PATH). */
  homeDir?: string;
  /** True when the file exists and is executable. */
  isExecutable: (file: string) => boolean;
  /** The interpreter command selected in the Python extension, when it is installed. */
  pythonCommand: readonly string[] | undefined;
  platform?: NodeJS.Platform;
}

/** How to install this project: from its repository (the PyPI name `deep-review` is not ours). */
export const INSTALL_HINT =
  "Install it from the Deep Review repository: in a clone, run `bash scripts/setup.sh` (it creates " +
  "`.venv/bin/deep-review`) and set `deepReview.server.path` to the clone's folder; or run " +
  "`pipx install /path/to/the/clone`. Do not install `deep-review` from PyPI: that name belongs " +
  "to an unrelated project.";

export class ServerNotFoundError extends Error {
  constructor(detail = "") {
    super(
      "Deep Review could not find its language server" +
        (detail ? ` (${detail})` : "") +
        ". " +
        INSTALL_HINT +
        " Alternatively set `deepReview.server.command` " +
        '(e.g. ["/path/to/clone/.venv/bin/deep-review", "serve"]), put `deep-review` on PATH, ' +
        "or select an interpreter that has it in the Python extension.",
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

/** The executable a `deepReview.server.path` names: the file itself, or a clone's venv. */
export function serverFromPath(
  serverPath: string,
  isExecutable: (file: string) => boolean,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const candidates =
    platform === "win32"
      ? [serverPath, path.win32.join(serverPath, ".venv", "Scripts", "deep-review.exe")]
      : [serverPath, path.posix.join(serverPath, ".venv", "bin", "deep-review")];
  return candidates.find((candidate) => isExecutable(candidate));
}

/**
 * `deepReview.server.command` wins; then `deepReview.server.path` (the executable or a clone
 * set up by `scripts/setup.sh`); then `deep-review` on PATH; then pipx's `~/.local/bin`; then
 * the Python extension's interpreter (`python -m deep_review serve`).
 */
export function resolveServerCommand(inputs: ResolveInputs): ServerCommand {
  const configured = inputs.configured.filter((part) => part.trim() !== "");
  const [first, ...rest] = configured;
  if (first !== undefined) {
    return { command: first, args: rest, origin: "setting" };
  }
  const serverPath = inputs.serverPath?.trim() ?? "";
  if (serverPath !== "") {
    const found = serverFromPath(serverPath, inputs.isExecutable, inputs.platform);
    if (!found) {
      // A path the user set and that is wrong must be said, not skipped for another install.
      throw new ServerNotFoundError(
        `\`deepReview.server.path\` is ${serverPath}, which is neither the \`deep-review\` executable ` +
          "nor a clone with `.venv/bin/deep-review`",
      );
    }
    return { command: found, args: ["serve"], origin: "server-path" };
  }
  const onPath = findOnPath("deep-review", inputs.pathEnv, inputs.isExecutable, inputs.platform);
  if (onPath) {
    return { command: onPath, args: ["serve"], origin: "path" };
  }
  if (inputs.homeDir && (inputs.platform ?? process.platform) !== "win32") {
    const pipx = path.posix.join(inputs.homeDir, ".local", "bin", "deep-review");
    if (inputs.isExecutable(pipx)) {
      return { command: pipx, args: ["serve"], origin: "pipx" };
    }
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
