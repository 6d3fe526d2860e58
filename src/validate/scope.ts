import { GOVULNCHECK_IGNORE } from "./govulncheckignore.js";
import { isMap, isScalar, type Node } from "yaml";
import { editableSteps, findOurStep, isRecord, jobNode, jobsOf, OUR_JOB_KEY, parseWorkflow, stepsOf } from "../gate/locate.js";
import type { Finding } from "../types.js";

/**
 * Whose line a finding is on (issue 10, "Exit 1 for lines we did not write"). Findings count toward
 * exit 1 only for what relay-security wrote or touched: the files it owns, and in the user's workflow
 * that carries the gate, the lines of our step (or our job) and the `load: true` we said we added.
 * Everything else in a workflow is the user's own: reported, with its fix, under its own heading.
 */
export interface Ownership {
  /** Repo-relative paths of the files relay-security owns (the state file's `files`). */
  owned: Set<string>;
  /** The user's workflow holding our step, and the edits of their lines we made (`load: true`). */
  gate?: { file: string; edits: string[] };
}

const isWorkflow = (path: string) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);

/** The 1-based line ranges (inclusive) relay-security wrote in a user's workflow. */
export function ourLines(path: string, text: string, edits: string[] = []): [number, number][] {
  const wf = parseWorkflow(path, text);
  if (wf.error) return [];
  const at = findOurStep(wf);
  if (!at) return [];
  const span = (node: { range?: [number, number, number] | null } | null | undefined): [number, number] | undefined => {
    const r = node?.range;
    return r ? [wf.lines.linePos(r[0]).line, wf.lines.linePos(Math.max(r[0], r[1] - 1)).line] : undefined;
  };
  const ranges: [number, number][] = [];
  if (at.jobKey === OUR_JOB_KEY) {
    const jobs = jobNode(wf, at.jobKey);
    const start = span(jobs);
    // The job key sits on the line above the job's mapping.
    if (start) ranges.push([start[0] - 1, start[1]]);
    return ranges;
  }
  const seq = editableSteps(wf, at.jobKey);
  if (!("seq" in seq)) return ranges;
  // Our block: the step, and any companion steps of ours right above it (a gate that has them reports
  // where the block starts as `first`).
  const first = "first" in at && typeof at.first === "number" ? at.first : at.index;
  const top = span(seq.seq.items[first] as Node | undefined);
  const step = span(seq.seq.items[at.index] as Node | undefined);
  if (top && step) ranges.push([top[0], step[1]]);
  // `load: true` on the build step before ours, when the state says we added it.
  if (edits.includes("load: true")) {
    const steps = stepsOf(jobsOf(wf).find(([key]) => key === at.jobKey)?.[1] ?? {});
    for (let i = at.index - 1; i >= 0; i--) {
      const inputs = steps[i]?.["with"];
      if (!isRecord(inputs) || inputs["load"] !== true) continue;
      const item = seq.seq.items[i];
      const withNode = isMap(item) ? item.get("with", true) : undefined;
      const pair = isMap(withNode) ? withNode.items.find((p) => isScalar(p.key) && p.key.value === "load") : undefined;
      const line = span(pair?.key as Node | undefined);
      if (line) ranges.push(line);
      break;
    }
  }
  return ranges;
}

/**
 * Mark the findings on the user's own workflow lines (`owner: "you"`) and give each a fix. A finding with
 * no line in the gate workflow (the file does not parse, actionlint did not finish) stays ours: our
 * splice is what made the file what it is.
 */
export function assignOwners(findings: Finding[], own: Ownership, texts: Map<string, string>): Finding[] {
  const gateRanges = own.gate && texts.has(own.gate.file) ? ourLines(own.gate.file, texts.get(own.gate.file) ?? "", own.gate.edits) : [];
  return findings.map((f) => {
    if (!isWorkflow(f.file) || own.owned.has(f.file)) return f;
    if (f.file === own.gate?.file && (f.line === undefined || gateRanges.some(([a, b]) => f.line !== undefined && f.line >= a && f.line <= b))) return f;
    const hint = f.hint ?? fixFor(f);
    return { ...f, owner: "you" as const, ...(hint ? { hint } : {}) };
  });
}

/**
 * The scanners' own files: the ignore files and the config Trivy or Grype loads by itself. They count as
 * ours even when the user wrote them, because the scans read them. Only the gate's scanner's: a Trivy gate
 * never reads .grype.yaml, a Grype gate never reads trivy.yaml (ory/kratos keeps a .grype.yaml for a Grype
 * job of its own), so `validate/repo.ts` neither reads nor judges the other's; the exit line names them as
 * files the scans read (`report/exit.ts`).
 */
export const scannerFilesFor = (scanner: "trivy" | "grype" | undefined): string[] => [".trivyignore", ".trivyignore.yaml", scanner === "grype" ? ".grype.yaml" : "trivy.yaml", GOVULNCHECK_IGNORE];
export const isScannerFile = (path: string): boolean => scannerFilesFor("trivy").includes(path) || scannerFilesFor("grype").includes(path);

/** A finding counts toward exit 1 when it is an error on something relay-security wrote or touched. */
export const countsAgainstUs = (f: Finding): boolean => f.severity === "error" && f.owner !== "you";

/** The fix for a user's finding that carries none of its own. */
function fixFor(f: Finding): string | undefined {
  const sc = /\b(SC\d{4})\b/.exec(f.message)?.[1];
  if (f.rule === "actionlint/shellcheck" && sc) return `see https://www.shellcheck.net/wiki/${sc}`;
  if (f.rule === "actionlint/runner-label") return "use a current GitHub-hosted label (ubuntu-latest, ubuntu-24.04), or declare your self-hosted label in .github/actionlint.yaml";
  if (f.rule.startsWith("actionlint/")) return `see https://github.com/rhysd/actionlint/blob/main/docs/checks.md`;
  return undefined;
}
