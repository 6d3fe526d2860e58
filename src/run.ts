import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { resolveAnswers } from "./answers/index.js";
import type { Mode, RawAnswers } from "./answers/resolve.js";
import { applyPlan, writes } from "./apply/index.js";
import { CANCEL, type Deps } from "./deps.js";
import { detect } from "./detect/index.js";
import { Cancelled, EXIT, UserError } from "./errors.js";
import type { ConflictStrategy } from "./merge/threeway.js";
import { buildPlan, ChooseWorkflow } from "./plan/index.js";
import { PATHS } from "./render/index.js";
import { nextSteps, renderInitReport, type InitReport } from "./report/init.js";
import { parseState } from "./state/index.js";
import { validateRepo } from "./validate/repo.js";
import { unpinned } from "./pin/index.js";
import { offerPins, pinNow, unpinnedFindings } from "./pin/setup.js";

export interface InitOptions {
  dir: string;
  mode: Mode;
  flags: RawAnswers;
  answersFile?: string;
  dryRun: boolean;
  json: boolean;
  diff: boolean;
  restore: boolean;
  onConflict: ConflictStrategy;
  allowDirty: boolean;
  /** `--adopt`: bring hand-written setups of our shape to ours (issue 6). */
  adopt?: boolean;
  /** `--pin`: also pin the actions of the user's own workflows to commits (issue 14). */
  pin?: boolean;
}

/** Set up or upgrade a repository: detect -> answers -> render/merge/plan -> apply -> validate -> report. */
export async function runInit(opts: InitOptions, deps: Deps): Promise<{ exitCode: number; report: InitReport }> {
  const dir = resolve(opts.dir);
  const detected = await detect(dir, deps);
  if (!detected.goMod) throw new UserError(`${join(dir, "go.mod")}: not found; run relay-security at the root of a Go module`);
  const statePath = join(dir, PATHS.state);
  const state = existsSync(statePath) ? parseState(PATHS.state, readFileSync(statePath, "utf8")) : undefined;

  if (opts.mode === "interactive") deps.prompts.intro?.(state ? "relay-security: upgrade" : "relay-security: set up");
  let answers = await resolveAnswers(detected, state, { flags: opts.flags, answersFile: opts.answersFile, mode: opts.mode }, deps);
  const planOpts = { restore: opts.restore, onConflict: opts.onConflict, adopt: opts.adopt };
  let plan;
  try {
    plan = buildPlan(detected, answers, state, planOpts);
  } catch (error) {
    // Several pull-request workflows could carry the gate: a question, when there is someone to ask.
    if (!(error instanceof ChooseWorkflow) || opts.mode !== "interactive") throw error;
    const workflow = await deps.prompts.select({
      message: "Which pull-request workflow should carry the image scan?",
      options: error.candidates.map((c) => ({ value: c })),
    });
    if (workflow === CANCEL) throw new Cancelled();
    answers = { ...answers, workflow };
    plan = buildPlan(detected, answers, state, planOpts);
  }
  const toWrite = writes(plan.changes);
  const conflicted = plan.changes.some((c) => c.action === "conflict");
  // --on-conflict fail is for unattended runs: an upgrade that needs a person writes nothing at all.
  const hold = opts.dryRun || (opts.onConflict === "fail" && conflicted);
  if (hold && !opts.dryRun) plan.notes.push("--on-conflict fail: a file conflicts, so nothing was written");

  if (opts.mode === "interactive" && toWrite.length > 0 && !hold) {
    deps.out(renderInitReport({ plan, findings: [], written: [], dryRun: true, diffs: opts.diff }));
    for (;;) {
      const choice = await deps.prompts.select({
        message: "Write these files?",
        options: [
          { value: "write", label: "Write them" },
          { value: "diff", label: "Show the diff first" },
          { value: "cancel", label: "Cancel" },
        ],
        initialValue: "write",
      });
      if (choice === "write") break;
      if (choice === "diff") deps.out(renderInitReport({ plan, findings: [], written: [], dryRun: true, diffs: true, only: "diffs" }));
      else throw new Cancelled();
    }
  }

  const pin = !hold && (await offerPins(dir, { mode: opts.mode, pin: Boolean(opts.pin), dryRun: opts.dryRun }, deps));
  const pinFiles = pin ? unpinned(dir).map((s) => s.file) : [];
  if (!hold && !opts.allowDirty) await refuseDirty(dir, [...new Set([...toWrite.filter((c) => c.before !== undefined).map((c) => c.path), ...pinFiles])], deps);
  const written = hold ? [] : applyPlan(dir, plan.changes);
  if (pin) {
    const pinned = await pinNow(dir, deps);
    written.push(...pinned.written.filter((p) => !written.includes(p)));
    plan.notes.push(...pinned.notes);
  }
  // Held back by --on-conflict fail: nothing changed, so there is nothing of ours to validate.
  const findings = hold && !opts.dryRun ? [] : await validateRepo(dir, { plan, answers, written, deps });
  if (!pin && !(hold && !opts.dryRun)) findings.push(...unpinnedFindings(dir, findings));

  const failed = findings.some((f) => f.severity === "error");
  const exitCode = conflicted || failed ? EXIT.findings : EXIT.ok;
  const report: InitReport = { plan, findings, written, dryRun: opts.dryRun, diffs: opts.diff || opts.dryRun, exitCode, next: nextSteps(answers, plan, written, state !== undefined) };
  return { exitCode, report };
}

/** Files we would change that hold uncommitted edits: refuse, naming them, unless --allow-dirty. */
async function refuseDirty(dir: string, paths: string[], deps: Deps): Promise<void> {
  if (paths.length === 0) return;
  const r = await deps.exec("git", ["-C", dir, "status", "--porcelain", "--", ...paths]);
  if (r.exitCode !== 0) return; // not a git repository: nothing to compare against
  const dirty = r.stdout.split("\n").filter(Boolean).map((l) => l.slice(3));
  if (dirty.length) throw new UserError(`uncommitted changes in files this would change: ${dirty.join(", ")}; commit or stash them, or pass --allow-dirty`);
}
