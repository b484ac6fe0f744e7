// Finding IDs from Deep Review diagnostics (pure: works on plain diagnostic-shaped objects).

export const DIAGNOSTIC_SOURCE = "deep-review";

export interface DiagnosticLike {
  source?: string | undefined;
  code?: string | number | { value: string | number } | undefined;
  message: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** The finding ID a Deep Review diagnostic carries in `code`, else undefined. */
export function findingId(diagnostic: DiagnosticLike): string | undefined {
  if (diagnostic.source !== DIAGNOSTIC_SOURCE || diagnostic.code === undefined) {
    return undefined;
  }
  const code = typeof diagnostic.code === "object" ? diagnostic.code.value : diagnostic.code;
  return String(code);
}

function contains(d: DiagnosticLike, line: number, character: number): boolean {
  const { start, end } = d.range;
  const afterStart = line > start.line || (line === start.line && character >= start.character);
  const beforeEnd = line < end.line || (line === end.line && character <= end.character);
  return afterStart && beforeEnd;
}

/** Deep Review finding IDs under a cursor position: those on the cursor first, then the line's. */
export function findingsAt(
  diagnostics: readonly DiagnosticLike[],
  line: number,
  character: number,
): string[] {
  const ours = diagnostics.filter((d) => findingId(d) !== undefined);
  const exact = ours.filter((d) => contains(d, line, character));
  const onLine = ours.filter((d) => d.range.start.line <= line && line <= d.range.end.line);
  const ids = [...exact, ...onLine].map((d) => findingId(d) ?? "");
  return [...new Set(ids)];
}
