/** Module path and the `go` / `toolchain` lines of a go.mod. */
export function parseGoMod(text: string): { modulePath?: string; goVersion?: string; toolchain?: string; moduleProblem?: string } {
  const line = (re: RegExp) => text.match(re)?.[1];
  const mod = moduleLine(text);
  const problem = mod === undefined ? "no `module` line" : modulePathProblem(mod.path);
  return {
    modulePath: problem === undefined ? mod?.path : undefined,
    ...(problem === undefined ? {} : { moduleProblem: mod ? `line ${mod.line}: ${problem}` : problem }),
    goVersion: line(/^\s*go\s+(\d+\.\d+(?:\.\d+)?(?:rc\d+)?)\s*(?:\/\/.*)?$/m),
    toolchain: line(/^\s*toolchain\s+(go\S+)\s*(?:\/\/.*)?$/m),
  };
}

/** The `module` directive (bare, "quoted" or `raw`), comment dropped; the path is checked separately. */
function moduleLine(text: string): { path: string; line: number } | undefined {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const m = raw.match(/^\s*module(?:\s+(.*?))?\s*$/);
    if (!m) continue;
    let arg = (m[1] ?? "").replace(/\s*\/\/.*$/, "").trim();
    const quoted = arg.match(/^"((?:[^"\\]|\\.)*)"$/) ?? arg.match(/^`([^`]*)`$/);
    if (quoted) arg = quoted[1] ?? "";
    return { path: arg, line: i + 1 };
  }
  return undefined;
}

// Windows reserved names, which Go refuses as path elements (golang.org/x/mod/module, badWindowsNames).
const RESERVED = new Set(["CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"]);

/**
 * Why `path` is not a valid Go import path, or undefined. Go's rules (golang.org/x/mod/module
 * CheckImportPath): elements separated by single slashes, each non-empty, of ASCII letters, digits and
 * `-._~` only, not starting or ending with a dot, no Windows reserved name, no `~digits` short-name
 * suffix. The module path lands in the rendered workflow, so nothing else may pass (`${{ … }}`).
 */
export function modulePathProblem(path: string): string | undefined {
  if (path === "") return "the `module` line names no path";
  const q = JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}…` : path);
  if (path.startsWith("/") || path.endsWith("/") || path.includes("//")) return `module path ${q}: leading, trailing or double slash`;
  for (const elem of path.split("/")) {
    const bad = elem.match(/[^A-Za-z0-9\-._~]/);
    if (bad) return `module path ${q}: invalid character ${JSON.stringify(bad[0])} (Go allows letters, digits and - . _ ~)`;
    if (elem.startsWith(".") || elem.endsWith(".")) return `module path ${q}: element "${elem}" starts or ends with a dot`;
    if (RESERVED.has((elem.split(".")[0] ?? "").toUpperCase())) return `module path ${q}: "${elem}" is a reserved name on Windows`;
    if (/~\d+$/.test(elem)) return `module path ${q}: "${elem}" ends in ~ and digits (a Windows short name)`;
  }
  if (path.split("/")[0]?.startsWith("-")) return `module path ${q}: starts with a dash`;
  return undefined;
}
