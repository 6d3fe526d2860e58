import type { Finding } from "../types.js";
import { countsAgainstUs, isScannerFile } from "../validate/scope.js";
import { renderFindings } from "./plan.js";
import { mark, PLAIN, wrap, type Style } from "./style.js";

/**
 * The findings as two lists: ours (they decide the exit code) and the user's own lines (listed with
 * their fix, never counted; issue 10).
 */
export function findingSections(findings: Finding[], style: Style = PLAIN): string[] {
  const ours = findings.filter((f) => f.owner !== "you");
  const yours = findings.filter((f) => f.owner === "you");
  const lines: string[] = [];
  if (ours.length) lines.push("", "Validation:", renderFindings(ours, style));
  if (yours.length) {
    lines.push("", "In your files, not changed by relay-security (each with its fix; they do not change the exit code):", renderFindings(yours, style));
  }
  return lines;
}

export interface ExitFacts {
  exitCode: number;
  /** Files an upgrade left in conflict, or that hold markers from an earlier one. */
  conflicts: string[];
  /** Files `check` found drifted. */
  drift: string[];
  findings: Finding[];
  /** `check` and `validate` take `--all-workflows`; a set-up never counts the user's lines. */
  widen?: boolean;
  /** `--all-workflows` was given: every finding counted, ours or not. */
  all?: boolean;
}

/** The last line printed: why the exit code is what it is (issue 10: "The last line printed gives no reason"). */
export function exitLine(f: ExitFacts, style: Style = PLAIN): string {
  const line = exitReason(f);
  return wrap(mark(style, f.exitCode === 0, line), style.width, style.marks ? 2 : 0);
}

function exitReason(f: ExitFacts): string {
  const errors = f.findings.filter(countsAgainstUs);
  const yours = f.findings.filter((x) => x.owner === "you" && x.severity !== "info" && x.severity !== "skipped");
  const where = (list: Finding[]) => [...new Set(list.map((x) => `${x.file}${x.line ? `:${x.line}` : ""}`))].slice(0, 5).join(", ");
  const reasons: string[] = [];
  if (f.drift.length) reasons.push(`drift in ${f.drift.join(", ")}`);
  if (f.conflicts.length) reasons.push(`conflicts to resolve in ${f.conflicts.join(", ")}`);
  // The scanners' own files count even when they are the user's (gogs' trivy.yaml skips the binary the gate scans).
  const read = errors.some((x) => isScannerFile(x.file)) ? ", or in a file its scans read" : "";
  const scope = f.all ? "in the workflows checked (--all-workflows)" : `in what relay-security wrote or changed${read}`;
  if (errors.length) reasons.push(`${errors.length} validation error(s) ${scope} (${where(errors)})`);
  const theirs = yours.length ? `; ${yours.length} finding(s) in your own lines are listed above and do not change it${f.widen ? " (--all-workflows counts them)" : ""}` : "";
  if (f.exitCode !== 0) return `Exit ${f.exitCode}: ${reasons.join("; ") || "see above"}${theirs}.`;
  return `Exit 0: everything relay-security wrote or changed is clean${theirs}.`;
}
