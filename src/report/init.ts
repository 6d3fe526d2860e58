import type { Answers } from "../answers/schema.js";
import { KEPT_EDIT_WAY_OUT, type Plan } from "../plan/index.js";
import { PATHS } from "../render/index.js";
import { cronFor } from "../render/schedule.js";
import type { Finding } from "../types.js";
import { exitLine, findingSections } from "./exit.js";
import { lineCounts, renderDiff, renderPlan } from "./plan.js";
import { PLAIN, type Style } from "./style.js";

export interface InitReport {
  plan: Plan;
  findings: Finding[];
  written: string[];
  dryRun: boolean;
  diffs: boolean;
  exitCode?: number;
  next?: string[];
  only?: "diffs";
  /** The interactive preview before "Write these files?" (not a dry run: nothing asked for one). */
  preview?: boolean;
  /** The plan was shown and confirmed already: the final report summarises what was written instead. */
  confirmed?: boolean;
  /** How many of the plan's notes that preview showed (the summary prints only the later ones). */
  notesShown?: number;
}

/** The diffs of our files; the state file (escaped JSON nobody reviews) in one line. */
export function renderDiffs(plan: Plan, style: Style = PLAIN): string {
  const shown = plan.changes.filter((c) => c.action !== "unchanged" && c.action !== "skip");
  const state = shown.find((c) => c.path === PATHS.state);
  const parts = shown.filter((c) => c !== state).map((c) => renderDiff(c, style).trimEnd());
  if (state) parts.push(`${state.path}: ${state.action === "create" ? "created" : "updated"}: the recorded answers and what relay-security generated (for upgrades and check; not shown)`);
  return parts.join("\n\n");
}

/** What a person reads at the end of a run. */
export function renderInitReport(r: InitReport, style: Style = PLAIN): string {
  if (r.only === "diffs") return renderDiffs(r.plan, style);
  const nothing = r.plan.changes.every((c) => c.action === "unchanged" || c.action === "skip");
  const kept = r.plan.changes.filter((c) => c.keptEdit);
  const head = nothing && kept.length ? "Nothing to write, but the relay-security step was edited (below)." : nothing ? "Nothing to do: every file is up to date." : r.dryRun && !r.preview ? "Plan (dry run, nothing written):" : r.preview ? "relay-security will write:" : "Plan:";
  const summary = r.confirmed && !nothing && r.written.length > 0;
  const lines = summary ? [`Wrote ${r.written.length} file(s):`, ...r.written.map((p) => `  ${p}`)] : [head, renderPlan(r.plan, { diffs: r.diffs && !nothing, style })];
  const later = summary ? r.plan.notes.slice(r.notesShown ?? 0) : [];
  if (later.length) lines.push("", ...later.map((n) => `  note: ${n}`));
  for (const c of kept) {
    lines.push("", `${c.path}: the relay-security step differs from what relay-security wrote; kept, and \`check\` reports it as drift (exit 1). ${KEPT_EDIT_WAY_OUT}.`);
  }
  const conflicts = r.plan.changes.filter((c) => c.action === "conflict");
  if (conflicts.length) lines.push("", `Conflicts in ${conflicts.map((c) => c.path).join(", ")}: ${conflicts.map((c) => c.reason).join("; ")}`);
  lines.push(...findingSections(r.findings, style));
  if (r.written.length && !summary) lines.push("", `Wrote ${r.written.length} file(s).`);
  if (r.next?.length && !r.dryRun && !nothing) lines.push("", "Next steps:", ...r.next.map((s, i) => `  ${i + 1}. ${s}`)); // not wrapped: the commands stay copyable
  // The confirmation preview has no exit code yet; the final report ends with the reason for it.
  if (r.exitCode !== undefined) lines.push("", exitLine({ exitCode: r.exitCode, conflicts: conflicts.map((c) => c.path), drift: kept.map((c) => `${c.path} (the relay-security step, edited)`), findings: r.findings }, style));
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

/**
 * What to do next. `ignored`: written paths the repository's .gitignore hides (`git check-ignore`), which a
 * plain `git add` refuses; `dependabot`: the Dependabot config file actually there (.yml or .yaml).
 */
export function nextSteps(answers: Answers, plan: Plan, written: string[], upgrade = false, opts: { ignored?: string[]; dependabot?: string; remote?: { owner: string; repo: string; host: string } } = {}): string[] {
  const message = upgrade ? "Upgrade relay-security files" : "Add relay-security scans";
  const ignored = new Set(opts.ignored ?? []);
  const plain = written.filter((p) => !ignored.has(p));
  const forced = written.filter((p) => ignored.has(p));
  const adds = [...(plain.length ? [`git add ${plain.join(" ")}`] : []), ...(forced.length ? [`git add -f ${forced.join(" ")}`] : [])];
  const steps = [`Review and commit: ${adds.join(" && ")} && git commit -m "${message}"`];
  if (forced.length) steps[0] += ` (your .gitignore ignores ${forced.join(", ")}, hence -f)`;
  if (answers.updater === "renovate") {
    steps.push(
      plan.renovateIdle
        ? `${plan.renovateIdle} keeps Renovate away from relay-security's pins and scanner versions, as you set it up (see the plan's note): re-run relay-security to move them, or widen that config.`
        : "Enable Renovate for the repository (install the Renovate GitHub App) so the pins and scanner versions stay fresh.",
    );
  }
  if (answers.updater === "dependabot") {
    const file = opts.dependabot ?? PATHS.dependabot;
    steps.push(written.includes(file) ? `Dependabot reads ${file} once it is on the default branch.` : `Dependabot goes on reading ${file}, which relay-security left as it was (see the plan's note).`);
  }
  const when = cronFor(answers.schedule, answers.image).text;
  steps.push(
    `The first scheduled rescan runs ${when} on the default branch${answers.imageScan ? ": Trivy on the image and govulncheck on the code" : ": govulncheck on the code"}; ${answers.report === "code-scanning" ? "it uploads its findings to code scanning (the Security tab; on a private repository this needs GitHub Advanced Security)" : `it opens an issue labelled "${answers.label}" per scan that finds something, and closes it when the scan is clean`}. Run it now: ${actionsUrl(opts.remote) ?? 'the Actions tab, workflow "Security scan"'}, Run workflow.`,
  );
  if (plan.gate.kind === "edit" || written.includes(PATHS.ci)) steps.push("Open a pull request: the image scan gates it on fixable " + answers.severity + " vulnerabilities.");
  steps.push("Check the setup any time with `npx create-relay-security check` (exit 1 on drift) and `npx create-relay-security validate`.");
  return steps;
}

/** The rescan's page on GitHub, from the origin remote; undefined for another host or no remote. */
export function actionsUrl(remote: { owner: string; repo: string; host: string } | undefined): string | undefined {
  if (!remote || remote.host !== "github.com") return undefined;
  return `https://github.com/${remote.owner}/${remote.repo.replace(/\.git$/, "")}/actions/workflows/${PATHS.securityScan.split("/").pop()}`;
}
