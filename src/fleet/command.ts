import { jsonEnvelope } from "../report/json.js";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { applyPlan } from "../apply/index.js";
import type { Deps } from "../deps.js";
import { EXIT, UserError } from "../errors.js";
import type { FileChange } from "../types.js";
import { checkLocal } from "./local.js";
import type { FleetResult } from "./state.js";
import { fleetExitCode, renderTable } from "./table.js";
import { FLEET_PATHS, renderFleetWorkflow, renderReposFile, type FleetSource } from "./workflow.js";

/** The flags `fleet` reads (parsed in cli.ts with the others). */
export interface FleetFlags {
  local?: boolean;
  json?: boolean;
  repos?: string;
  org?: string;
  topic?: string;
  "max-parallel"?: string;
  "dry-run"?: boolean;
  /** `--local --pr`: set up / upgrade each clone in drift or not set up, as a pull request. */
  pr?: boolean;
}

const REPO = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
const OWNER = /^[A-Za-z0-9-]+$/;
const TOPIC = /^[a-z0-9][a-z0-9-]{0,49}$/;

/** `npx create-relay-security fleet --local DIR...` (the table) or `npx create-relay-security fleet [--repos F | --org O --topic T] [dir]`. */
export async function runFleetCommand(dirs: string[], flags: FleetFlags, deps: Deps): Promise<{ exitCode: number; output: string }> {
  if (flags.local) {
    if (dirs.length === 0) throw new UserError("fleet --local: give the clones to check, e.g. relay-security fleet --local ~/src/*");
    if (flags.repos || flags.org || flags.topic || flags["max-parallel"]) throw new UserError("fleet --local checks clones; --repos, --org, --topic and --max-parallel are for the workflow");
    const results = await checkLocal(dirs, deps, { progress: !flags.json });
    if (flags.pr) await prLocal(results, deps);
    const exitCode = fleetExitCode(results);
    return { exitCode, output: flags.json ? jsonEnvelope("fleet", exitCode, { results }) : renderTable(results) };
  }
  if (flags.pr) throw new UserError("fleet: --pr goes with --local (the workflow opens its pull requests with the upgrade input)");
  if (dirs.length > 1) throw new UserError(`fleet: one admin repository at most, got ${dirs.join(" ")} (for clones, pass --local)`);
  const dir = resolve(dirs[0] ?? ".");
  if (!existsSync(dir)) throw new UserError(`${dir}: no such directory`);
  const source = fleetSource(flags);
  const maxParallel = parseMaxParallel(flags["max-parallel"]);
  const changes: FileChange[] = [change(dir, FLEET_PATHS.workflow, renderFleetWorkflow({ source, maxParallel }))];
  if (source.kind === "file") changes.push(change(dir, FLEET_PATHS.repos, renderReposFile(source.repos)));
  const written = flags["dry-run"] ? [] : applyPlan(dir, changes);
  const lines = changes.map((c) => `  ${c.action.padEnd(9)} ${c.path}`);
  lines.push(
    "",
    flags["dry-run"] ? "Dry run: nothing written." : `Wrote ${written.length} file(s).`,
    "Next steps:",
    "  1. Add the repository secret RELAY_SECURITY_FLEET_TOKEN: a fine-grained token (or a GitHub App installation token) with Contents read on the listed repositories; Contents and Pull requests read and write to open upgrade PRs.",
    `  2. For repositories not set up yet, put their answers in ${FLEET_PATHS.answers}/OWNER/NAME.json (the --answers format); without one the detected defaults are used.`,
    "  3. Commit, push, and run the workflow \"relay-security fleet\" from the Actions tab (mode check, or upgrade).",
  );
  return { exitCode: EXIT.ok, output: lines.join("\n") };
}

/**
 * `fleet --local --pr`: what the workflow's upgrade mode does, over clones: each one in drift or not set
 * up gets `--yes --pr` with its recorded answers (a conflict needs a person and is left alone). A failure
 * is that repository's error row; the others go on.
 */
async function prLocal(results: FleetResult[], deps: Deps): Promise<void> {
  const { initWithPr } = await import("../pr/command.js");
  for (const r of results.filter((x) => x.state === "drift" || x.state === "not set up")) {
    try {
      const { pr } = await initWithPr({ dir: r.dir, mode: "yes", flags: {}, dryRun: false, json: false, diff: false, restore: false, onConflict: "fail", allowDirty: false }, deps);
      if (pr?.url) r.pr = pr.url;
      else if (pr?.action === "manual") Object.assign(r, { state: "error", detail: `committed on ${pr.branch}, not opened: ${pr.why}` });
      deps.err(`fleet: ${r.repository}: ${pr?.url ?? pr?.action ?? "nothing written (a conflict)"}`);
    } catch (error) {
      Object.assign(r, { state: "error", detail: (error as Error).message.split("\n")[0] ?? "" });
    }
  }
}

function change(dir: string, path: string, after: string): FileChange {
  const p = join(dir, path);
  const before = existsSync(p) ? readFileSync(p, "utf8") : undefined;
  return { path, before, after, action: before === undefined ? "create" : before === after ? "unchanged" : "update" };
}

function fleetSource(flags: FleetFlags): FleetSource {
  if (flags.repos && (flags.org || flags.topic)) throw new UserError("fleet: --repos or --org with --topic, not both");
  if (flags.repos) return { kind: "file", repos: readRepos(flags.repos) };
  if (!flags.org || !flags.topic) throw new UserError("fleet: name the repositories with --repos FILE (one OWNER/NAME a line) or --org ORG --topic TOPIC");
  if (!OWNER.test(flags.org)) throw new UserError(`--org: "${flags.org}" is not an organisation name`);
  if (!TOPIC.test(flags.topic)) throw new UserError(`--topic: "${flags.topic}" is not a GitHub topic (lowercase letters, digits and hyphens, at most 50)`);
  return { kind: "org", org: flags.org, topic: flags.topic };
}

function readRepos(file: string): string[] {
  if (!existsSync(file)) throw new UserError(`--repos ${file}: no such file`);
  const repos: string[] = [];
  const lines = readFileSync(file, "utf8").replace(/^\uFEFF/, "").split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    if (!REPO.test(line)) throw new UserError(`${file}:${i + 1}: "${line}" is not OWNER/NAME`);
    if (!repos.includes(line)) repos.push(line);
  }
  if (repos.length === 0) throw new UserError(`${file}: no repositories listed`);
  if (repos.length > 256) throw new UserError(`${file}: ${repos.length} repositories; a GitHub Actions matrix runs at most 256 jobs, split the list`);
  return repos;
}

function parseMaxParallel(raw: string | undefined): number {
  if (raw === undefined) return 4;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 256) throw new UserError(`--max-parallel must be a number from 1 to 256, not "${raw}"`);
  return Number(raw);
}
