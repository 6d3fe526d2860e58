import { EXIT } from "../errors.js";
import { renderDiff, renderFindings } from "../report/plan.js";
import type { PinRun } from "./index.js";

/** 0 when every remote `uses:` is pinned (or `--check` found nothing), 1 otherwise. */
export function pinExitCode(run: PinRun, check: boolean): number {
  if (check) return run.findings.some((f) => f.severity === "error") ? EXIT.findings : EXIT.ok;
  return run.results.some((r) => r.status === "unresolved") ? EXIT.findings : EXIT.ok;
}

/** What a person reads after `pin`, `pin --dry-run` or `pin --check`. */
export function renderPinRun(run: PinRun, opts: { check: boolean; dryRun: boolean; offline: boolean }): string {
  if (opts.check) {
    const errors = run.findings.filter((f) => f.severity === "error").length;
    return run.findings.length ? `${errors ? `pin --check: ${errors} problem(s)` : "pin --check: no problems"}\n${renderFindings(run.findings)}` : "pin --check: every action is pinned to a commit of its own repository, with a matching version comment.";
  }
  const lines: string[] = [...(run.recovered ?? [])];
  const pinned = run.results.filter((r) => r.status === "pinned");
  const unresolved = run.results.filter((r) => r.status === "unresolved");
  if (pinned.length === 0 && unresolved.length === 0) lines.push(`Nothing to do: all ${run.results.length} remote uses: are pinned to commits with their version.`);
  for (const r of pinned) lines.push(`  ${opts.dryRun ? "would pin" : "pinned"}  ${r.file}:${r.line}  ${r.from} -> ${r.to}`);
  for (const r of run.results) for (const n of r.notes) lines.push(`  note      ${r.file}:${r.line}  ${n}`);
  if (unresolved.length) {
    if (lines.length) lines.push("");
    lines.push(opts.offline ? "Not resolved offline (data/pins.json does not know them; run without --offline):" : "Not pinned:");
    for (const r of unresolved) lines.push(`  ${r.file}:${r.line}  ${r.from}: ${r.why}`);
  }
  if (opts.dryRun) for (const f of run.files) lines.push("", renderDiff({ path: f.path, action: "update", before: f.before, after: f.after }).trimEnd());
  if (run.written.length) lines.push("", `Wrote ${run.written.length} file(s): ${run.written.join(", ")}. Review with git diff and commit.`);
  else if (opts.dryRun && run.files.length) lines.push("", "Dry run: nothing written.");
  return lines.join("\n");
}

/** `--json`: one entry per `uses:` (or the findings of `--check`). */
export function jsonPinRun(run: PinRun, opts: { check: boolean; dryRun: boolean }) {
  const exitCode = pinExitCode(run, opts.check);
  if (opts.check) return { exitCode, findings: run.findings };
  return { exitCode, dryRun: opts.dryRun, uses: run.results.map((r) => ({ ...r, to: r.to ?? null, why: r.why ?? null })), written: run.written };
}
