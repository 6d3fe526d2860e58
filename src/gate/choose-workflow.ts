import { comparePaths } from "../fsguard.js";
import { isRecord, jobsOf, onOf, stepsOf, type Workflow } from "./locate.js";
import { skipsDependencyBumps } from "./path-filter.js";
import { usesAction } from "./shapes.js";
import type { Build } from "./types.js";

/**
 * Which pull-request workflow carries the gate, by evidence (issue 10 §2): one that builds the chosen
 * Dockerfile wins, even when its build cannot load (our job then goes into that workflow); then a
 * ci/test/build workflow over analysis ones (CodeQL, dependency review, lint only). Only a real tie is
 * a question. Workflows whose `pull_request.types` never fire on a new commit are not candidates, and
 * one whose paths filter skips a go.mod bump is chosen only when no workflow runs on every PR.
 */

export interface Candidate {
  path: string;
  evidence: string;
}

// The activity types that run on a new pull request or a push to one (GitHub's default set).
const NEW_COMMIT_TYPES = ["opened", "synchronize", "reopened"];

/** Actions and commands of workflows that analyse code rather than build or test it. */
const ANALYSIS_ACTIONS = ["github/codeql-action", "actions/dependency-review-action", "ossf/scorecard-action", "golangci/golangci-lint-action", "reviewdog/", "actions/labeler", "amannn/action-semantic-pull-request", "actions/stale", "release-drafter/release-drafter"];
const ANALYSIS_RUN = /^\s*(golangci-lint|go\s+vet|gofmt|staticcheck|yamllint|markdownlint|shellcheck|actionlint|hadolint|buf\s+lint|revive|govulncheck)\b/;
const SETUP_ACTIONS = ["actions/checkout", "actions/setup-go", "actions/cache", "actions/setup-node", "actions/setup-python"];
// A run block that only moves the checkout (CodeQL's `git checkout HEAD^2` on pull requests) sets up too.
const SETUP_RUN = /^\s*(git\s+(checkout|fetch|switch|reset|config|submodule)|echo)\b/;
const setsUp = (s: Record<string, unknown>) => SETUP_ACTIONS.some((a) => usesAction(s["uses"], a)) || (typeof s["run"] === "string" && s["run"].split(/\r?\n/).every((l) => l.trim() === "" || SETUP_RUN.test(l)));
const RUNS_GO = "runs go test / go build";
const SETS_UP_GO = "a ci/test/build workflow by its name that sets up Go";
const CI_NAME = /(^|[^a-z])(ci|test|tests|build|check|checks|go|main|pr|pull[-_ ]?request|integration)([^a-z]|$)/i;

/** Why a pull_request workflow never runs on a new commit, or undefined when it does. */
export function skipsNewCommits(wf: Workflow): string | undefined {
  const on = onOf(wf);
  const pr = isRecord(on) ? on["pull_request"] : undefined;
  const types = isRecord(pr) ? pr["types"] : undefined;
  const list = typeof types === "string" ? [types] : Array.isArray(types) ? types.map(String) : undefined;
  if (!list || list.some((t) => NEW_COMMIT_TYPES.includes(t))) return undefined;
  return `pull_request types [${list.join(", ")}] never run on a new commit`;
}

/** "analysis" when every job only checks out, sets up and runs analysers; else "ci" or "other" by name and test commands. */
function kindOf(wf: Workflow): { kind: "ci" | "other" | "analysis"; why: string } {
  const steps = jobsOf(wf).flatMap(([, job]) => stepsOf(job));
  const analysis = steps.filter((s) => ANALYSIS_ACTIONS.some((a) => usesAction(s["uses"], a.replace(/\/$/, "")) || (a.endsWith("/") && String(s["uses"] ?? "").startsWith(a))) || (typeof s["run"] === "string" && s["run"].split(/\r?\n/).every((l) => l.trim() === "" || ANALYSIS_RUN.test(l))));
  const rest = steps.filter((s) => !analysis.includes(s) && !setsUp(s));
  if (analysis.length > 0 && rest.length === 0) return { kind: "analysis", why: `analysis only (${String(analysis[0]?.["uses"] ?? analysis[0]?.["run"] ?? "").split("@")[0]?.split("\n")[0]})` };
  const name = `${wf.path.split("/").pop()} ${typeof wf.data["name"] === "string" ? wf.data["name"] : ""}`;
  if (steps.some((s) => typeof s["run"] === "string" && /\b(go\s+(test|build)|make\s+\S*test)/.test(s["run"]))) return { kind: "ci", why: RUNS_GO };
  if (CI_NAME.test(name)) {
    // "Pull Request Changelog Check" is ci by its name too; one that sets up Go works on the code.
    const go = steps.some((s) => usesAction(s["uses"], "actions/setup-go"));
    return { kind: "ci", why: go ? SETS_UP_GO : "a ci/test/build workflow by its name" };
  }
  return { kind: "other", why: "neither runs go test / go build nor is a ci/test/build workflow by its name" };
}

/** `-run PATTERN` of a workflow whose every `go test` runs only some tests (nats' MQTT-only workflow), or undefined. */
function narrowTests(wf: Workflow): string | undefined {
  const runs = jobsOf(wf).flatMap(([, job]) => stepsOf(job)).flatMap((s) => (typeof s["run"] === "string" ? [...s["run"].matchAll(/\bgo\s+test\b([^\n]*)/g)].map((m) => m[1] ?? "") : []));
  const filters = runs.map((args) => /\s--?run[=\s]+(['"]?)([^'"\s]+)\1/.exec(args)?.[2]);
  if (filters.length === 0 || filters.some((f) => f === undefined)) return undefined;
  // `-run -` runs no test at all (benchmarks only): narrow too, but not worth naming next to a pattern.
  const named = [...new Set(filters)].filter((f) => f !== "-");
  return (named.length ? named : ["-"]).join(", ");
}

/**
 * Among workflows that all run go test / go build, the repository's main CI: not one whose go test
 * runs only some tests, then one that also runs on pushes (an extra check runs on pull requests only).
 * The others, each with the note saying why it lost; none dropped when that would leave nothing.
 */
function mainCi(list: Workflow[], notes: string[]): Workflow[] {
  let pool = list;
  const whole = pool.filter((w) => narrowTests(w) === undefined);
  if (whole.length > 0 && whole.length < pool.length) {
    const by = whole.length === 1 ? `${(whole[0] as Workflow).path} runs` : "others run";
    for (const w of pool.filter((x) => !whole.includes(x))) notes.push(`${w.path}: not chosen for the gate: its go test runs only some tests (-run ${narrowTests(w)}), and ${by} them all`);
    pool = whole;
  }
  const onPush = pool.filter((w) => {
    const on = onOf(w);
    return typeof on === "string" ? on === "push" : Array.isArray(on) ? on.includes("push") : isRecord(on) && "push" in on;
  });
  if (onPush.length > 0 && onPush.length < pool.length) {
    const by = onPush.length === 1 ? `${(onPush[0] as Workflow).path} runs` : "others run";
    for (const w of pool.filter((x) => !onPush.includes(x))) notes.push(`${w.path}: not chosen for the gate: it runs on pull requests only, and ${by} on pushes too, as a repository's main CI does`);
    pool = onPush;
  }
  return pool;
}

/** The order in which a workflow's file name makes it the default of a tie: ci, then build, then test. */
const TIE_NAMES = ["ci", "build", "test", "tests", "check", "checks"];

/**
 * The candidate a run with no one to ask takes (`--yes`, CI): the first by its file name (ci, build,
 * test, check, in that order; ntfy's build.yaml over test.yaml), then by path. Either carries the gate
 * as well: our own job builds the image wherever it goes, so the choice is only where it lives, and
 * the plan says it with the way to the other (`--workflow FILE`).
 */
export function defaultOfTie(candidates: Candidate[]): { pick: Candidate; why: string } {
  const rank = (c: Candidate) => {
    const words = (c.path.split("/").pop() ?? "").replace(/\.ya?ml$/, "").toLowerCase().split(/[^a-z]+/);
    const at = TIE_NAMES.findIndex((n) => words.includes(n));
    return at < 0 ? TIE_NAMES.length : at;
  };
  const sorted = [...candidates].sort((a, b) => rank(a) - rank(b) || comparePaths(a.path, b.path));
  const pick = sorted[0] as Candidate;
  const byName = sorted.length > 1 && rank(pick) < rank(sorted[1] as Candidate);
  return { pick, why: byName ? "the first by its name (ci, build, test, check, in that order)" : "the first by path (no name among ci, build, test, check decides)" };
}

const isCi = (wf: Workflow) => /(^|\/)ci\.ya?ml$/.test(wf.path);

/** The workflow to use, or the tied candidates with their evidence; `notes` says what was left out and why. */
export function chooseWorkflow(pr: Workflow[], builds: ReadonlyMap<Workflow, readonly Build[]>, notes: string[], dockerfile?: string): { pick: Workflow } | { tie: Candidate[] } | { none: true } {
  const skips = (w: Workflow) => skipsDependencyBumps(w, dockerfile);
  const live: Workflow[] = [];
  for (const wf of pr) {
    const skip = skipsNewCommits(wf);
    if (skip) notes.push(`${wf.path}: not a candidate for the gate: ${skip}`);
    else live.push(wf);
  }
  if (live.length === 0) return { none: true };
  const evidence = (wf: Workflow) => {
    const first = builds.get(wf)?.[0];
    if (first) return `builds the Dockerfile (${first.where}${first.gate.ok ? "" : `; ${first.gate.why}`})`;
    return kindOf(wf).why;
  };
  const tieOrPick = (list: Workflow[]) => {
    if (list.length === 1) return { pick: list[0] as Workflow };
    const ci = list.filter(isCi);
    if (ci.length === 1) return { pick: ci[0] as Workflow };
    return { tie: list.map((w) => ({ path: w.path, evidence: evidence(w) })) };
  };
  // A gate runs on every pull request: a workflow whose paths filter skips a go.mod bump is the last
  // resort, even when it builds the image (our own job, built from a clean checkout, can go anywhere).
  const everyPr = live.filter((w) => !skips(w));
  const builders = live.filter((w) => (builds.get(w)?.length ?? 0) > 0);
  const gatedBuilders = builders.filter((w) => everyPr.includes(w));
  if (gatedBuilders.length > 0 || (builders.length > 0 && everyPr.length === 0)) {
    const list = gatedBuilders.length > 0 ? gatedBuilders : builders;
    for (const w of list) {
      const skip = skips(w);
      if (skip) notes.push(`${w.path}: ${skip}; no workflow runs on every pull request`);
    }
    // A build that names the Dockerfile over one whose path is computed; then one the gate can follow.
    const exact = list.filter((w) => builds.get(w)?.some((b) => b.match === "exact"));
    const pool = exact.length > 0 ? exact : list;
    const scannable = pool.filter((w) => builds.get(w)?.some((b) => b.gate.ok));
    return tieOrPick(scannable.length > 0 ? scannable : pool);
  }
  for (const w of builders) notes.push(`${w.path} builds the image, but ${skips(w)}: the image-scan job goes into a workflow that runs on every pull request`);
  const pool = everyPr.length > 0 ? everyPr : live;
  const byKind = (k: string) => pool.filter((w) => kindOf(w).kind === k);
  const ci = pool.filter(isCi);
  if (ci.length === 1) return { pick: ci[0] as Workflow };
  for (const k of ["ci", "other", "analysis"]) {
    const list = byKind(k);
    if (list.length === 0) continue;
    for (const w of pool.filter((x) => !list.includes(x))) notes.push(`${w.path}: not chosen for the gate: ${kindOf(w).why}`);
    // A workflow that runs go test / go build, then one that sets up Go, over one that is "ci" by its name only.
    for (const why of [RUNS_GO, SETS_UP_GO]) {
      const strongest = list.filter((w) => kindOf(w).why === why);
      if (strongest.length === 0) continue;
      for (const w of list.filter((x) => !strongest.includes(x))) {
        const one = strongest.length === 1;
        const does = why === RUNS_GO ? (one ? "runs go test / go build" : "run go test / go build") : one ? "sets up Go" : "set up Go";
        notes.push(`${w.path}: not chosen for the gate: ${kindOf(w).why}, and ${one ? (strongest[0] as Workflow).path : "others"} ${does}`);
      }
      return tieOrPick(why === RUNS_GO && strongest.length > 1 ? mainCi(strongest, notes) : strongest);
    }
    return tieOrPick(list);
  }
  return { none: true };
}
