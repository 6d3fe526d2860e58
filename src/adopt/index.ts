import type { PinsData } from "../pins.js";
import { spotHandWritten } from "./detect.js";
import { PATTERNS } from "./patterns.js";
import { repinTracked, repinValue, type Repin } from "./repin.js";

/**
 * Adopting hand-written setups of our shape (issue 6). Pure: text in, explanations and new text out;
 * the plan decides, `applyPlan` writes. Nothing is adopted without `--adopt`, and the plan always says
 * what would change and why first.
 */
export { spotHandWritten, type Spotted } from "./detect.js";
export type { Repin } from "./repin.js";
export { explainDuplicateRescan, spotDuplicateRescan, type DuplicateRescan } from "./rescan.js";

/**
 * A workflow at the path of one we manage that we did not write (a hand-written security-scan.yml):
 * short labels for the plan line and one note per thing found, with its line.
 */
export function explainHandWritten(path: string, text: string): { labels: string[]; notes: string[] } {
  const spotted = spotHandWritten(path, text);
  const labels = [...new Set(spotted.map((s) => `${PATTERNS[s.rule].label} (line ${spotted.filter((t) => t.rule === s.rule).map((t) => t.line).join(", ")})`))];
  return { labels, notes: spotted.map((s) => `${path}:${s.line}: ${s.message}`) };
}

export interface WorkflowAdoption {
  /** What was found and what `--adopt` does (or did) about it. */
  notes: string[];
  /** With `--adopt` and something to re-pin: the new text. */
  after?: string;
  repins: Repin[];
}

/**
 * A workflow the user owns: report the hand-written patterns; with `adopt`, re-pin the tracked bare-SHA
 * Trivy pins, one `uses:` line each. `base` is the text to edit when the gate already edits this file
 * (our step spliced in), so both edits land together.
 */
export function adoptInWorkflow(input: { path: string; text: string; base?: string; adopt: boolean; pins: PinsData }): WorkflowAdoption {
  const { path, text, pins } = input;
  const spotted = spotHandWritten(path, text);
  const notes = spotted.map((s) => {
    const value = repinValue(s, pins);
    if (value) return `${path}:${s.line}: ${s.message}; ${input.adopt ? "re-pinned (--adopt)" : "--adopt rewrites only that line"} to \`uses: ${value}\` from relay-security's pins (the \`# Tracks:\` line can then go)`;
    if (s.rule === "tracks-comment" && s.pin) return `${path}:${s.line}: ${s.message}; write it as \`uses: ${s.pin.action}@${s.pin.sha} # ${s.pin.tracks}\` once you have checked that the SHA is that tag's commit`;
    return `${path}:${s.line}: ${s.message}`;
  });
  if (!input.adopt || !spotted.some((s) => repinValue(s, pins))) return { notes, repins: [] };
  const base = input.base ?? text;
  const { text: after, repins } = repinTracked(base, spotHandWritten(path, base), pins);
  return { notes, repins, ...(after !== base ? { after } : {}) };
}
