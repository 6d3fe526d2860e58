import type { ExecResult } from "../deps.js";

/**
 * Why a tool run failed, in one line a person can read: execa's two-line "Command failed with ENOENT ...
 * spawn trivy ENOENT" becomes "trivy: not found (not installed, or not on PATH)", and Trivy's log line
 * "2026-12-01T23:19:26Z\tFATAL\tFatal error\trun error: ..." becomes "run error: ...".
 */
export function toolFailure(tool: string, r: ExecResult): string {
  if (r.failed !== undefined) {
    if (/\bENOENT\b/.test(r.failed)) return `${tool}: not found (not installed, or not on PATH)`;
    if (/\bEACCES\b/.test(r.failed)) return `${tool}: not executable (check its permissions)`;
    if (/timed out/i.test(r.failed)) return `${tool}: timed out`;
    return `${tool}: ${squash(r.failed.split("\n").pop() ?? r.failed)}`;
  }
  const raw = r.stderr.split("\n").filter((l) => l.trim());
  const marked = raw.map((l, i) => (/\b(FATAL|ERROR)\b|^error\b/i.test(l) ? i : -1)).filter((i) => i >= 0);
  const at = marked.length ? (marked[marked.length - 1] as number) : raw.length - 1;
  if (at < 0) return `${tool}: exit code ${r.exitCode}`;
  // Trivy continues a wrapped error on lines that start with a tab: they belong to it.
  const rest = raw.slice(at + 1);
  const end = rest.findIndex((l) => !/^\s/.test(l));
  const more = end < 0 ? rest : rest.slice(0, end);
  return squash([logMessage(raw[at]?.trim() ?? ""), ...more].join(" "));
}

/** A Trivy/Go log line without its timestamp, level and "Fatal error" prefix. */
function logMessage(line: string): string {
  return line
    .replace(/^\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?\s+/, "")
    .replace(/^(FATAL|ERROR|WARN|INFO)\s+/, "")
    .replace(/^Fatal error\s+/, "");
}

const squash = (s: string) => s.replace(/\s+/g, " ").trim();
