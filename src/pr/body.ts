import type { Plan } from "../plan/index.js";
import { lineCounts } from "../report/plan.js";
import type { Finding } from "../types.js";

/** What a PR body is rendered from: a set-up / upgrade report, or a pin run, reduced to the same shape. */
export interface PrContent {
  kind: "setup" | "upgrade" | "pin";
  files: { path: string; action: string; what: string; added: number; removed: number }[];
  gate?: { file?: string; placement: string; notes: string[] };
  findings: Finding[];
  next: string[];
  notes: string[];
}

/** What each file we write is for, for a reviewer who has not read our README. */
const PURPOSE: Record<string, string> = {
  ".github/workflows/security-scan.yml": "the scheduled rescan: scans the image and the code, and files, updates and closes issues",
  ".github/workflows/ci.yml": "a pull-request workflow that builds the image and gates the PR on its scan",
  ".github/actions/relay-security-db/action.yml": "our action that gets the vulnerability database for the gate, the rescan and the daily job (one copy of that logic)",
  ".trivyignore": "accepted image findings, each with a reason and an expiry date",
  ".grype.yaml": "accepted image findings for Grype, each with a reason and an expiry date",
  ".govulncheckignore": "accepted govulncheck findings, each with a reason and an expiry date",
  "renovate.json": "Renovate rules that keep the pinned actions and scanner versions current",
  ".github/dependabot.yml": "Dependabot updates for the pinned actions",
  ".github/relay-security.json": "relay-security's state: the answers and what it generated, so upgrades merge your edits",
};

export const TITLES = { setup: "Add relay-security supply-chain scans", upgrade: "Upgrade relay-security files", pin: "Pin GitHub Actions to commit SHAs" } as const;

export function contentFromPlan(kind: "setup" | "upgrade", plan: Plan, findings: Finding[], next: string[]): PrContent {
  const files = plan.changes
    .filter((c) => c.action !== "unchanged" && c.action !== "skip")
    .map((c) => ({ path: c.path, action: c.action, what: [PURPOSE[c.path], c.reason].filter(Boolean).join("; "), ...lineCounts(c.before, c.after) }));
  const g = plan.gate;
  const gate =
    g.kind === "edit" || g.kind === "unchanged" || g.kind === "already-scanned"
      ? { file: g.file, placement: g.summary, notes: "notes" in g ? g.notes : [] }
      : g.kind === "refuse"
        ? { file: g.file, placement: `not placed: ${g.reason}`, notes: [g.manual] }
        : g.kind === "none"
          ? { placement: "no existing pull-request workflow builds the image; the gate is in the ci.yml above", notes: g.notes }
          : undefined;
  return { kind, files, gate, findings, next: next.filter((s) => !s.startsWith("Review and commit") && !s.startsWith("Open a pull request")), notes: plan.notes };
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** The PR body in Markdown. Stable for the same content, so a re-run's `gh pr edit` changes nothing needlessly. */
export function renderBody(c: PrContent): string {
  const out: string[] = [];
  out.push(
    c.kind === "pin"
      ? "This pull request pins every action in the workflows and composite actions to the commit its tag points to, with the version as a comment. Nothing else changes."
      : "This pull request was opened by `relay-security` (`npm create relay-security`). Review it like any other change; re-running the tool updates this branch and this pull request.",
  );
  out.push("", "## Files", "", "| file | change | what it is |", "|---|---|---|");
  for (const f of c.files) out.push(`| \`${cell(f.path)}\` | ${f.action} (+${f.added} -${f.removed}) | ${cell(f.what)} |`);
  if (c.gate) {
    out.push("", "## The pull-request gate", "", `${c.gate.file ? `In \`${c.gate.file}\`: ` : ""}${c.gate.placement}.`);
    for (const n of c.gate.notes) out.push(`- ${n}`);
  }
  if (c.notes.length) out.push("", "## Notes", "", ...c.notes.map((n) => `- ${n}`));
  out.push("", "## Findings in your files", "");
  if (c.findings.length === 0) out.push("None.");
  for (const f of c.findings) out.push(`- **${f.severity}** \`${f.file}${f.line ? `:${f.line}` : ""}\` ${f.rule}: ${cell(f.message)}${f.hint ? ` (${cell(f.hint)})` : ""}`);
  if (c.next.length) out.push("", "## Next steps", "", ...c.next.map((s, i) => `${i + 1}. ${s}`));
  return `${out.join("\n")}\n`;
}

/** A pin run as PR content: each file with the actions it pins. */
export function contentFromPin(run: { files: { path: string; before: string; after: string }[]; results: { file: string; from: string; to?: string; status: string }[]; findings: Finding[] }): PrContent {
  return {
    kind: "pin",
    files: run.files.map((f) => {
      const pinned = run.results.filter((r) => r.file === f.path && r.status === "pinned").map((r) => `\`${r.from}\` -> \`${r.to}\``);
      return { path: f.path, action: "update", what: `pins ${pinned.join(", ")}`, ...lineCounts(f.before, f.after) };
    }),
    findings: run.findings,
    next: ["Let CI run on this branch: the pinned commits are the ones the tags pointed to, so behaviour should not change.", "Keep the pins current with Renovate or Dependabot (`npx create-relay-security pin --check` in CI catches drift)."],
    notes: [],
  };
}
