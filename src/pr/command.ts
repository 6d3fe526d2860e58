import { resolve } from "node:path";
import type { Deps } from "../deps.js";
import { EXIT, UserError } from "../errors.js";
import type { InitOptions } from "../run.js";
import { contentFromPlan, type PrContent } from "./body.js";
import { openPr, preflight, renderPrOutcome, type PrOutcome } from "./index.js";

/**
 * The `--pr` wrappers the CLI calls: set-up / upgrade and `pin`. The tree is checked before the command
 * writes; conflicts write nothing (a PR never carries conflict markers unless --on-conflict says so).
 */
export async function initWithPr(opts: InitOptions, deps: Deps) {
  if (opts.dryRun) throw new UserError("--pr and --dry-run do not go together: --pr commits what it writes");
  const dir = resolve(opts.dir);
  const start = await preflight(deps, dir);
  const { existsSync } = await import("node:fs");
  const { join } = await import("node:path");
  const upgrade = existsSync(join(dir, ".github/relay-security.json"));
  const { runInit } = await import("../run.js");
  const { exitCode, report } = await runInit({ ...opts, dir, allowDirty: false }, deps);
  const conflicted = report.plan.changes.some((c) => c.action === "conflict");
  if (conflicted && opts.onConflict === "fail") return { exitCode, report, pr: undefined };
  const content = contentFromPlan(upgrade ? "upgrade" : "setup", report.plan, report.findings, report.next ?? []);
  const pr = await openPr(deps, dir, start, report.written, content);
  return { exitCode: pr.action === "manual" ? EXIT.findings : exitCode, report: { ...report, next: [] }, pr };
}

export async function pinWithPr(dir: string, run: () => Promise<{ exitCode: number; output: string; written: string[]; content: PrContent }>, deps: Deps) {
  const abs = resolve(dir);
  const start = await preflight(deps, abs);
  const r = await run();
  const pr = await openPr(deps, abs, start, r.written, r.content);
  return { exitCode: pr.action === "manual" ? EXIT.findings : r.exitCode, output: `${r.output}\n${renderPrOutcome(pr)}`, pr };
}

export { renderPrOutcome, type PrOutcome };
