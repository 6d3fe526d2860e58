import type { Answers } from "../answers/schema.js";
import type { Plan } from "../plan/index.js";
import { PATHS } from "../render/index.js";
import { cronFor } from "../render/schedule.js";
import type { Finding } from "../types.js";
import { lineCounts, renderDiff, renderFindings, renderPlan } from "./plan.js";

export interface InitReport {
  plan: Plan;
  findings: Finding[];
  written: string[];
  dryRun: boolean;
  diffs: boolean;
  exitCode?: number;
  next?: string[];
  only?: "diffs";
}

/** What a person reads at the end of a run. */
export function renderInitReport(r: InitReport): string {
  if (r.only === "diffs") return r.plan.changes.filter((c) => c.action !== "unchanged" && c.action !== "skip").map((c) => renderDiff(c).trimEnd()).join("\n\n");
  const nothing = r.plan.changes.every((c) => c.action === "unchanged" || c.action === "skip");
  const lines = [nothing ? "Nothing to do: every file is up to date." : r.dryRun ? "Plan (dry run, nothing written):" : "Plan:", renderPlan(r.plan, { diffs: r.diffs && !nothing })];
  const conflicts = r.plan.changes.filter((c) => c.action === "conflict");
  if (conflicts.length) lines.push("", `Conflicts in ${conflicts.map((c) => c.path).join(", ")}: ${conflicts.map((c) => c.reason).join("; ")}`);
  if (r.findings.length) lines.push("", "Validation:", renderFindings(r.findings));
  if (r.written.length) lines.push("", `Wrote ${r.written.length} file(s).`);
  if (r.next?.length && !r.dryRun && !nothing) lines.push("", "Next steps:", ...r.next.map((s, i) => `  ${i + 1}. ${s}`));
  return lines.join("\n");
}

/** The report `--json` prints: stable keys a script can rely on. */
export function jsonReport(r: InitReport) {
  return {
    exitCode: r.exitCode ?? 0,
    dryRun: r.dryRun,
    files: r.plan.changes.map((c) => ({ path: c.path, action: c.action, reason: c.reason ?? null, notes: c.notes ?? [], ...lineCounts(c.before, c.action === "conflict" && c.after === c.before ? undefined : c.after) })),
    written: r.written,
    notes: r.plan.notes,
    gate: { kind: r.plan.gate.kind, file: "file" in r.plan.gate ? r.plan.gate.file : null },
    findings: r.findings,
  };
}

export function nextSteps(answers: Answers, plan: Plan, written: string[], upgrade = false): string[] {
  const message = upgrade ? "Upgrade relay-security files" : "Add relay-security scans";
  const steps = [`Review and commit: git add ${written.join(" ")} && git commit -m "${message}"`];
  if (answers.updater === "renovate") steps.push("Enable Renovate for the repository (install the Renovate GitHub App) so the pins and scanner versions stay fresh.");
  if (answers.updater === "dependabot") steps.push("Dependabot reads .github/dependabot.yml once it is on the default branch.");
  const when = cronFor(answers.schedule, answers.image).text;
  steps.push(
    `The first scheduled rescan runs ${when} on ${answers.branch}${answers.imageScan ? ": Trivy on the image and govulncheck on the code" : ": govulncheck on the code"}; ${answers.report === "code-scanning" ? "it uploads its findings to code scanning (the Security tab; on a private repository this needs GitHub Advanced Security)" : `it opens an issue labelled "${answers.label}" per scan that finds something, and closes it when the scan is clean`}. Run it now from the Actions tab (workflow "Security scan", Run workflow).`,
  );
  if (plan.gate.kind === "edit" || written.includes(PATHS.ci)) steps.push("Open a pull request: the image scan gates it on fixable " + answers.severity + " vulnerabilities.");
  steps.push("Check the setup any time with `npx relay-security check` (exit 1 on drift) and `npx relay-security validate`.");
  return steps;
}
