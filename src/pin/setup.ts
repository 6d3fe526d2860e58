import type { Deps } from "../deps.js";
import { CANCEL } from "../deps.js";
import { Cancelled } from "../errors.js";
import type { Finding } from "../types.js";
import { PIN_FIX } from "./check.js";
import { runPin, unpinned } from "./index.js";

/**
 * Set-up and `pin` (issue 14): an interactive run asks, `--pin` says yes, anything else lists the
 * tag-pinned actions of the user's own files as findings with `pin` as the fix. Returns whether to pin.
 */
export async function offerPins(dir: string, o: { mode: "interactive" | "yes" | "non-interactive"; pin: boolean; dryRun: boolean }, deps: Deps): Promise<boolean> {
  if (o.dryRun) return false;
  if (o.pin) return true;
  if (o.mode !== "interactive") return false;
  const sites = unpinned(dir);
  if (sites.length === 0) return false;
  deps.out(["Actions in your workflows pinned by a tag, which whoever controls the tag can move:", ...sites.map((s) => `  ${s.file}:${s.line}  ${s.value}`)].join("\n"));
  const yes = await deps.prompts.confirm({ message: `Pin ${sites.length} action${sites.length === 1 ? "" : "s"} in your workflows to commit SHAs?`, initialValue: true });
  if (yes === CANCEL) throw new Cancelled();
  return yes;
}

/** Pin after the plan was applied, so the edits land on the files as set-up left them; notes for the report. */
export async function pinNow(dir: string, deps: Deps): Promise<{ written: string[]; notes: string[] }> {
  const run = await runPin({ dir, check: false, dryRun: false, offline: false, update: false, minAgeDays: 7 }, deps);
  const notes = run.results.flatMap((r) => (r.status === "pinned" ? [`pinned ${r.file}:${r.line} ${r.from} -> ${r.to}`] : r.status === "unresolved" ? [`not pinned ${r.file}:${r.line} ${r.from}: ${r.why}`] : []));
  return { written: run.written, notes };
}

/**
 * The tag-pinned actions in the user's other workflows as findings, unless validate already reported
 * them. Same rule, severity and words as validate's `pins/sha` on the files it checks: one problem has
 * one name in a report (a real run listed `pins/sha` errors for ci.yml and `pin/unpinned` warnings for
 * the same `actions/checkout@v4` in release.yml). Owner "you": they never change the exit code.
 */
export function unpinnedFindings(dir: string, existing: Finding[]): Finding[] {
  const seen = new Set(existing.filter((f) => f.rule === "pins/sha").map((f) => `${f.file}:${f.line}`));
  return unpinned(dir)
    .filter((s) => !seen.has(`${s.file}:${s.line}`))
    .map((s) => ({
      file: s.file,
      line: s.line,
      rule: "pins/sha",
      severity: "error" as const,
      owner: "you" as const,
      message: `${s.value} is a tag or branch, which can be moved to other code; pin the full 40-character commit SHA`,
      hint: PIN_FIX,
    }));
}
