import { posix } from "node:path";
import { jobsOf, isRecord, stepLabel, stepsOf, type Workflow } from "./locate.js";
import { makeBuilds } from "./makefile.js";
import { githubEnvWrites, inputDefaults, literalEnv, resolveKnown, type EnvScope } from "./resolve.js";
import { buildPushGate, runGate, type JobState } from "./loads.js";
import { BUILD_PUSH_ACTION, METADATA_ACTION, REPORTED_SHAPES, SETUP_BUILDX_ACTION, splitList, usesAction } from "./shapes.js";
import { commands, parseDockerBuild, parseMake } from "./shell.js";
import { bakeCallOf, bakeTargets } from "./bake.js";
import { deepFreeze } from "../yaml-once.js";
import { specFromBake, specFromBuildPush, specFromDocker } from "./build-spec.js";
import type { Build, BuildSpec } from "./types.js";

export type { Build };


export interface BuildSearch {
  dockerfile: string;
  readFile(rel: string): string | undefined;
}

const TRIVIAL_IF = /^\s*(\$\{\{\s*)?(success\(\)|always\(\)|!\s*cancelled\(\)|true)(\s*\}\})?\s*$/;
const NOT_ON_PR = [
  /github\.event_name\s*==\s*'(?!pull_request)/,
  /github\.event_name\s*!=\s*'pull_request/,
  /github\.ref\s*==\s*'refs\//,
  /startsWith\(\s*github\.ref\s*,\s*'refs\/tags/,
  /github\.ref_type\s*==\s*'tag'/,
];
const skipsPullRequests = (cond: string) => NOT_ON_PR.some((re) => re.test(cond)) && !/==\s*'pull_request/.test(cond);

/** What findBuilds found; shared between its callers, so frozen throughout. */
export interface FoundBuilds {
  readonly builds: readonly Build[];
  readonly notes: readonly string[];
}

/**
 * Per workflow (its frozen data, shared by every reader of the same text) and Dockerfile: the builds
 * found, and the files read on the way with what they held. A set-up asks twice about the original
 * ci.yml (where the gate goes; the CI build the rescan copies), and on a 5,000-step workflow each
 * search is ~40 ms (issue 19). A remembered answer is given only while every file it read still reads
 * the same through the caller's own `readFile`.
 */
const remembered = new WeakMap<object, Map<string, { found: FoundBuilds; reads: Map<string, string | undefined> }>>();

/** Every build of the Dockerfile in `wf`, in file order, plus notes on the shapes we only recognise. */
export function findBuilds(wf: Workflow, search: BuildSearch): FoundBuilds {
  const byWorkflow = remembered.get(wf.data) ?? new Map<string, { found: FoundBuilds; reads: Map<string, string | undefined> }>();
  remembered.set(wf.data, byWorkflow);
  const key = `${wf.path}\0${search.dockerfile}`;
  const hit = byWorkflow.get(key);
  if (hit && [...hit.reads].every(([rel, text]) => search.readFile(rel) === text)) return hit.found;
  const reads = new Map<string, string | undefined>();
  const readFile = (rel: string) => {
    const text = search.readFile(rel);
    reads.set(rel, text);
    return text;
  };
  const found = deepFreeze(searchBuilds(wf, { dockerfile: search.dockerfile, readFile }));
  byWorkflow.set(key, { found, reads });
  return found;
}

function searchBuilds(wf: Workflow, search: BuildSearch): Found {
  const out: Found = { builds: [], notes: [] };
  const wfDefaults = isRecord(wf.data["defaults"]) && isRecord(wf.data["defaults"]["run"]) ? wf.data["defaults"]["run"] : {};
  const wfEnv = isRecord(wf.data["env"]) ? Object.keys(wf.data["env"]) : [];
  const wfEnvValues = literalEnv(wf.data["env"]);
  const inputs = inputDefaults(wf);
  for (const [jobKey, job] of jobsOf(wf)) {
    if (typeof job["uses"] === "string") {
      const local = job["uses"].startsWith("./");
      out.notes.push(
        local
          ? `${wf.path}: job ${jobKey} calls the reusable workflow ${job["uses"]}; the gate does not edit a called workflow (its other callers, such as a release, would change too)`
          : `${wf.path}: job ${jobKey} calls the remote workflow ${job["uses"]}; a build hidden there cannot be scanned in place`,
      );
      continue;
    }
    const jobEnv = isRecord(job["env"]) ? Object.keys(job["env"]) : [];
    const defaults = isRecord(job["defaults"]) && isRecord(job["defaults"]["run"]) ? job["defaults"]["run"] : {};
    const ctx: JobContext = {
      wf,
      search,
      wfEnvValues,
      inputs,
      jobKey,
      jobIf: typeof job["if"] === "string" ? job["if"] : undefined,
      jobEnvValues: literalEnv(job["env"]),
      jobCwd: String(defaults["working-directory"] ?? wfDefaults["working-directory"] ?? "."),
      st: { containerBuilder: false, buildxInstalled: false, env: new Set([...wfEnv, ...jobEnv]), metadata: new Map() },
      matrix: isRecord(job["strategy"]) ? job["strategy"]["matrix"] : undefined,
      reported: new Set<string>(),
    };
    for (const [index, step] of stepsOf(job).entries()) stepBuilds(ctx, index, step, out);
  }
  return out;
}

interface Found {
  builds: Build[];
  notes: string[];
}

/** What a job's steps share, and what the steps before the current one set up (`st`). */
interface JobContext {
  wf: Workflow;
  search: BuildSearch;
  wfEnvValues: Record<string, string>;
  inputs: Record<string, string>;
  jobKey: string;
  jobIf: string | undefined;
  jobEnvValues: Record<string, string>;
  jobCwd: string;
  st: JobState;
  matrix: unknown;
  /** The REPORTED_SHAPES already noted for this job (one note each). */
  reported: Set<string>;
}

/** The builds of one step into `out`, and what it sets up for the steps after it into `ctx.st`. */
function stepBuilds(ctx: JobContext, index: number, step: Record<string, unknown>, out: Found): void {
  const { wf, search, st, jobKey, matrix, inputs } = ctx;
  // Most steps build nothing: the label is made only for a build or a note.
  const where = () => `job ${jobKey}, step ${index + 1} ("${stepLabel(step)}")`;
  const run = typeof step["run"] === "string" ? step["run"] : undefined;
  const stepEnv = isRecord(step["env"]) ? step["env"] : {};
  const cwd = String(step["working-directory"] ?? ctx.jobCwd);
  const known = (more: Record<string, string> = {}) => ({ ...ctx.wfEnvValues, ...ctx.jobEnvValues, ...literalEnv(stepEnv), ...more });
  const add = (found: Match, gate: Build["gate"], spec: BuildSpec) => {
    if (found === "no") return;
    const match = typeof found === "object" ? "exact" : found;
    const flavours = typeof found === "object" ? [] : [...new Set([...JSON.stringify(step).matchAll(/matrix\.([A-Za-z0-9_-]+)/g)].map((m) => m[1] as string))];
    // A matrix build: a gate step in its job runs in every leg; our own job and the rescan build one
    // image. Which the plan says depends on where the gate goes, so the build carries both.
    let matrixNote: Build["matrix"];
    if (flavours.length > 0) {
      // A matrix of flavours (build args, targets, tags from matrix values): name what one image leaves out.
      const legs = flavours.map((k) => `${k}: ${valuesOf(matrix, k).join(", ") || "?"}`).join("; ");
      const head = `${wf.path}: job ${jobKey} builds a matrix (${legs})`;
      matrixNote = {
        step: `${head}; the gate step runs in every leg and scans each leg's image; the scheduled rescan builds one image without the matrix values, so those flavours are left out of it`,
        job: `${head}; relay-security's image-scan job and the scheduled rescan build one image without the matrix values, so those flavours are left out of them`,
      };
    }
    if (typeof found === "object") {
      // A matrix over Dockerfiles: our step runs in every leg, after that leg's build, so it mirrors
      // the matrix and scans each image; our job and the scheduled rescan build only the chosen one.
      const others = found.legs.filter((l) => l !== search.dockerfile);
      const head = `${wf.path}: job ${jobKey} builds a matrix of Dockerfiles (${found.legs.join(", ")})`;
      const only = others.length > 0 ? ` only ${search.dockerfile}, not ${others.join(", ")}` : ` ${search.dockerfile}`;
      matrixNote = {
        step: `${head}; the gate step runs in every leg and scans each leg's image${others.length > 0 ? `; the scheduled rescan builds only ${search.dockerfile}, not ${others.join(", ")}` : ""}`,
        job: `${head}; relay-security's image-scan job and the scheduled rescan build${only}`,
      };
    }
    const stepIf = typeof step["if"] === "string" ? step["if"] : undefined;
    if (ctx.jobIf && skipsPullRequests(ctx.jobIf)) gate = { ok: false, why: `job ${jobKey} runs only when ${ctx.jobIf.trim()}, not on pull requests` };
    else if (stepIf && skipsPullRequests(stepIf)) gate = { ok: false, why: `the build step runs only when ${stepIf.trim()}, not on pull requests` };
    // A conditional build: our step carries the same condition, so it runs exactly when the build did.
    else if (stepIf && !TRIVIAL_IF.test(stepIf) && gate.ok) gate = { ...gate, condition: stepIf.trim() };
    out.builds.push({ jobKey, index, where: where(), match, gate, spec, ...(matrixNote ? { matrix: matrixNote } : {}) });
  };
  for (const shape of REPORTED_SHAPES) {
    const byUses = shape.uses?.some((u) => usesAction(step["uses"], u)) ?? false;
    if ((byUses || (run !== undefined && shape.run?.test(run))) && !ctx.reported.has(shape.id)) {
      ctx.reported.add(shape.id);
      out.notes.push(`${wf.path}: ${shape.note.replace("{where}", where())}`);
    }
  }
  if (usesAction(step["uses"], SETUP_BUILDX_ACTION)) {
    const w = isRecord(step["with"]) ? step["with"] : {};
    if (String(w["driver"] ?? "docker-container") !== "docker" && String(w["use"] ?? "true") !== "false") st.containerBuilder = true;
    if (String(w["install"] ?? "false") === "true") st.buildxInstalled = true;
  }
  if (usesAction(step["uses"], METADATA_ACTION) && typeof step["id"] === "string") {
    st.metadata.set(step["id"], isRecord(step["with"]) ? step["with"] : {});
  }
  const cmds = run === undefined ? [] : commands(run);
  // buildx bake: the gate does not follow it (targets and outputs live in the bake file), but it
  // builds the Dockerfile, so its workflow carries our job, and its options are the ones to copy.
  const bakeCall = bakeCallOf(step, cmds);
  if (bakeCall) {
    for (const file of bakeCall.files) {
      const text = search.readFile(file);
      if (text === undefined) continue;
      for (const t of bakeTargets(file, text, bakeCall.targets, known())) {
        const why = `builds with buildx bake (${file}); the gate builds and scans the image in its own image-scan job`;
        add(matchDockerfile(t.dockerfile, ".", search.dockerfile, matrix), { ok: false, why }, specFromBake(t, `${wf.path}, ${where()} (bake ${file})`));
      }
      break;
    }
  }
  if (usesAction(step["uses"], BUILD_PUSH_ACTION)) {
    const w = isRecord(step["with"]) ? step["with"] : {};
    const env = known();
    const context = typeof w["context"] === "string" ? resolveKnown(w["context"], env, inputs) : ".";
    const file = typeof w["file"] === "string" ? resolveKnown(w["file"], env, inputs) : posix.join(context, "Dockerfile");
    const spec = specFromBuildPush(w, { env, inputs }, `${wf.path}, ${where()}`, splitList);
    add(matchDockerfile(file, ".", search.dockerfile, matrix), buildPushGate(step, w, st), spec);
  }
  if (run === undefined) return;
  const builderEnv = "BUILDX_BUILDER" in stepEnv || st.env.has("BUILDX_BUILDER");
  for (const cmd of cmds) {
    const scope: EnvScope = { script: cmd.vars, step: stepEnv, env: st.env };
    const build = parseDockerBuild(cmd.words);
    if (build) {
      const env = known(Object.fromEntries(cmd.vars));
      const file = build.file !== undefined ? resolveKnown(build.file, env, inputs) : posix.join(resolveKnown(build.context ?? ".", env, inputs), "Dockerfile");
      const spec = specFromDocker(build, cwd, { env, inputs }, `${wf.path}, ${where()}`);
      add(matchDockerfile(file, cwd, search.dockerfile, matrix), runGate(build, scope, st, builderEnv), spec);
    }
    const make = parseMake(cmd.words);
    if (make) {
      const fromEnv = (n: string) => n in stepEnv || st.env.has(n);
      for (const mb of makeBuilds(make, cwd, search.readFile, fromEnv)) {
        const file = mb.build.file ?? posix.join(mb.build.context ?? ".", "Dockerfile");
        const gate = runGate(mb.build, { ...scope, script: mb.vars }, st, builderEnv);
        const spec = specFromDocker(mb.build, ".", { env: known(Object.fromEntries(mb.vars)), inputs }, `${wf.path}, ${where()} (make ${mb.target}, ${mb.makefile})`);
        add(matchDockerfile(file, ".", search.dockerfile, matrix), gate.ok ? { ...gate, how: `${gate.how} (make ${mb.target}, ${mb.makefile})` } : gate, spec);
      }
    }
    const words = cmd.words.join(" ");
    if (/^docker buildx (create .*--use|use )/.test(words)) st.containerBuilder = !/^docker buildx use default\b/.test(words);
    if (/^docker buildx install\b/.test(words)) st.buildxInstalled = true;
  }
  for (const name of githubEnvWrites(run)) st.env.add(name);
}

/** How a build's Dockerfile relates to ours; a matrix leg carries every Dockerfile of the matrix. */
type Match = Build["match"] | { legs: string[] } | "no";

function matchDockerfile(file: string, cwd: string, wanted: string, matrix: unknown): Match {
  if (file === "-" || /^[a-z]+:\/\//.test(file)) return "no";
  const norm = (p: string) => posix.normalize(p).replace(/^\.\//, "");
  const keys = [...file.matchAll(/matrix\.([A-Za-z0-9_-]+)/g)].map((m) => m[1] as string);
  if (keys.length > 0) {
    // A matrix over Dockerfiles: ours is one leg when the matrix names it (or its folder).
    const legs = keys.flatMap((k) => valuesOf(matrix, k)).map((v) => (norm(v) === norm(wanted) || norm(posix.join(v, "Dockerfile")) === norm(wanted) ? wanted : v));
    return legs.includes(wanted) ? { legs: [...new Set(legs)] } : "no";
  }
  if (file.includes("$")) return "maybe";
  return norm(posix.join(cwd, file)) === norm(wanted) ? "exact" : "no";
}

/** The values a matrix gives `key`: its own list and those of `include` entries. */
function valuesOf(matrix: unknown, key: string): string[] {
  if (!isRecord(matrix)) return [];
  const own = matrix[key];
  const list = Array.isArray(own) ? own : own === undefined ? [] : [own];
  const include = Array.isArray(matrix["include"]) ? matrix["include"] : [];
  return [...list, ...include.map((e) => (isRecord(e) ? e[key] : undefined))].filter((v): v is string => typeof v === "string");
}
