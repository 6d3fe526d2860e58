import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Answers } from "./answers/schema.js";
import { answersSchema } from "./answers/schema.js";
import type { Deps } from "./deps.js";
import { detect } from "./detect/index.js";
import { EXIT, UserError } from "./errors.js";
import { hasConflictMarkers } from "./merge/threeway.js";
import { buildPlan } from "./plan/index.js";
import { PATHS } from "./render/index.js";
import { renderDiff, renderFindings } from "./report/plan.js";
import { parseState } from "./state/index.js";
import type { Finding } from "./types.js";
import { validateRepo } from "./validate/repo.js";

export interface CommandOptions {
  dir: string;
  json: boolean;
  imageArchive?: string;
  offline: boolean;
}

/** `check` and `validate`: read-only, so they share nothing with the writer but the plan. */
export async function runCommand(command: "check" | "validate", opts: CommandOptions, deps: Deps): Promise<{ exitCode: number; output: string }> {
  const dir = resolve(opts.dir);
  const detected = await detect(dir, deps);
  const statePath = join(dir, PATHS.state);
  const state = existsSync(statePath) ? parseState(PATHS.state, readFileSync(statePath, "utf8")) : undefined;
  const answers: Answers | undefined = state ? answersSchema.parse(state.answers) : undefined;
  const findings: Finding[] = [];
  const drift: { path: string; action: string; diff: string }[] = [];

  if (command === "check") {
    if (!state || !answers) throw new UserError(`${statePath}: not found; this repository was not set up by relay-security (run npm create relay-security)`);
    const plan = buildPlan(detected, answers, state, { restore: false, onConflict: "fail" });
    for (const c of plan.changes) {
      if (c.path === PATHS.state || c.action === "unchanged") continue;
      if (c.action === "skip") {
        drift.push({ path: c.path, action: "deleted", diff: `${c.path}: deleted (${c.reason})` });
        continue;
      }
      drift.push({ path: c.path, action: c.action, diff: renderDiff(c) });
    }
    for (const path of Object.keys(state.files)) {
      const p = join(dir, path);
      if (!existsSync(p)) continue;
      for (const m of hasConflictMarkers(readFileSync(p, "utf8"))) {
        findings.push({ file: path, line: m.line, rule: "conflict-marker", message: "unresolved conflict marker from an upgrade", severity: "error" });
      }
    }
  }
  findings.push(...(await validateRepo(dir, { answers, written: [], deps, scope: "repo", imageArchive: opts.imageArchive, offline: opts.offline })));

  const failed = drift.length > 0 || findings.some((f) => f.severity === "error");
  const exitCode = failed ? EXIT.findings : EXIT.ok;
  if (opts.json) return { exitCode, output: JSON.stringify({ exitCode, drift, findings }, null, 2) };
  const lines: string[] = [];
  if (command === "check") lines.push(drift.length ? `Drift in ${drift.length} file(s): the repository differs from what relay-security produces for its recorded answers.` : "No drift: the repository is what relay-security produces for its recorded answers.");
  for (const d of drift) lines.push("", d.diff.trimEnd());
  if (findings.length) lines.push("", "Validation:", renderFindings(findings));
  else if (command === "validate") lines.push("Validation: no findings.");
  return { exitCode, output: lines.join("\n") };
}
