// Which workspace folder a file belongs to, for one server per folder (pure, no vscode).
import * as path from "node:path";

export interface FolderLike {
  readonly uri: { readonly scheme: string; readonly fsPath: string };
  readonly name: string;
}

/** The folders a server can review: those on disk (git needs a real directory). */
export function reviewableFolders<F extends FolderLike>(folders: readonly F[] | undefined): F[] {
  return (folders ?? []).filter((folder) => folder.uri.scheme === "file");
}

/** The innermost folder holding `fsPath` (nested folders each have their own server). */
export function folderContaining<F extends FolderLike>(
  folders: readonly F[],
  fsPath: string,
  pathApi: Pick<typeof path, "relative" | "isAbsolute" | "sep"> = path,
): F | undefined {
  let best: F | undefined;
  for (const folder of folders) {
    const relative = pathApi.relative(folder.uri.fsPath, fsPath);
    const inside = relative === "" || (!relative.startsWith(`..${pathApi.sep}`) && relative !== ".." && !pathApi.isAbsolute(relative));
    if (inside && (!best || folder.uri.fsPath.length > best.uri.fsPath.length)) {
      best = folder;
    }
  }
  return best;
}

/** The status bar's title: the folder is named only when several folders have servers. */
export function statusTitle(folderName: string | undefined, folderCount: number): string {
  return folderName && folderCount > 1 ? `Deep Review (${folderName})` : "Deep Review";
}
