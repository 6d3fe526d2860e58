import { createTwoFilesPatch, diffLines } from "diff";
import type { Plan } from "../plan/index.js";
import type { FileChange, Finding } from "../types.js";

const LABEL: Record<FileChange["action"], string> = {
  create: "create",
  update: "update",
  unchanged: "unchanged",
  conflict: "CONFLICT",
  skip: "skip",
  delete: "delete",
};

/** Lines added and removed, for the plan summary. */
export function lineCounts(before = "", after = ""): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const part of diffLines(before, after)) {
    if (part.added) added += part.count ?? 0;
    if (part.removed) removed += part.count ?? 0;
  }
  return { added, removed };
}

export function renderDiff(change: FileChange): string {
  const before = change.before ?? "";
  const after = change.action === "conflict" && change.after === change.before ? (change.notes?.[0] ?? "") : (change.after ?? "");
  const to = change.action === "delete" ? "/dev/null" : `b/${change.path}`;
  return createTwoFilesPatch(change.before === undefined ? "/dev/null" : `a/${change.path}`, to, before, after, "", "", { context: 3 });
}

/** The plan as the user reads it: one line a file, notes, and the diffs when asked for. */
export function renderPlan(plan: Plan, opts: { diffs: boolean }): string {
  const lines: string[] = [];
  const width = Math.max(...plan.changes.map((c) => c.path.length), 10);
  for (const c of plan.changes) {
    const { added, removed } = lineCounts(c.before, c.after);
    const written = c.action === "update" || (c.action === "conflict" && c.after !== c.before);
    const counts = c.action === "create" ? `+${added}` : written ? `+${added} -${removed}` : c.action === "delete" ? `-${removed}` : "";
    lines.push(`  ${LABEL[c.action].padEnd(9)} ${c.path.padEnd(width)}  ${counts.padEnd(10)} ${c.reason ?? ""}`.trimEnd());
    for (const note of c.action === "conflict" ? [] : (c.notes ?? [])) lines.push(`  ${" ".repeat(9)} - ${note}`);
  }
  if (plan.notes.length) lines.push("", ...plan.notes.map((n) => `  note: ${n}`));
  if (opts.diffs) {
    for (const c of plan.changes) if (c.action !== "unchanged" && c.action !== "skip") lines.push("", renderDiff(c).trimEnd());
  }
  return lines.join("\n");
}

export function renderFindings(findings: Finding[]): string {
  return findings
    .map((f) => `  ${f.severity.padEnd(7)} ${f.file}${f.line ? `:${f.line}` : ""}  ${f.rule}: ${f.message}${f.hint ? ` (${f.hint})` : ""}`)
    .join("\n");
}
