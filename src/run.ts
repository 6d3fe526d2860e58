import { realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { resolveAnswers } from "./answers/index.js";
import type { Mode, RawAnswers } from "./answers/resolve.js";
import { recordConflicts } from "./apply/conflicts.js";
import { nodeWriteFs } from "./apply/fs.js";
import { applyPlan, checkTargets, writes } from "./apply/index.js";
import { JOURNAL, recoverInterrupted } from "./apply/journal.js";
import { CANCEL, type Deps } from "./deps.js";
import { detect } from "./detect/index.js";
import { defaultImageName } from "./detect/remote.js";
import { planBaseImagePins } from "./digests/index.js";
import { Cancelled, EXIT, UserError } from "./errors.js";
import type { ConflictStrategy } from "./merge/threeway.js";
import { buildPlan, ChooseWorkflow } from "./plan/index.js";
import { defaultOfTie } from "./gate/index.js";
import { answersSchema, type Answers } from "./answers/schema.js";
import { NeedBuildArgs } from "./plan/image-build.js";
import { readRepoText, walkRepoFiles } from "./fsguard.js";
import { PATHS } from "./render/index.js";
import { cronFor, nextRunText } from "./render/schedule.js";
import { ALL_SCAN_SCRIPTS } from "./render/scripts.js";
import { nextSteps, renderInitReport, type InitReport } from "./report/init.js";
import { parseState } from "./state/index.js";
import { preloadWasmActionlint } from "./validate/actionlint-wasm.js";
import { validateRepo } from "./validate/repo.js";
import { unpinned } from "./pin/index.js";
import { offerPins, pinNow, unpinnedFindings } from "./pin/setup.js";
import { countsAgainstUs } from "./validate/scope.js";

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
  /** Told the files as soon as they are written, so a Ctrl-C during validation can say what was (issue 11). */
  onWritten?: (paths: string[]) => void;
  /** `--pin`: also pin the actions of the user's own workflows to commits (issue 14). */
  pin?: boolean;
}

/** Set up or upgrade a repository: detect -> answers -> render/merge/plan -> apply -> validate -> report. */
/**
 * Answers changed during the run, in the schema's key order: the state file lists them so, and the next
 * run reads them so, or a second run would rewrite the file for the order alone. The values were checked
 * where they were asked; one the schema still refuses is kept as given (the plan validates it again).
 */
function inSchemaOrder(answers: Answers): Answers {
  const parsed = answersSchema.safeParse(answers);
  return parsed.success ? parsed.data : answers;
}

export async function runInit(opts: InitOptions, deps: Deps): Promise<{ exitCode: number; report: InitReport }> {
  const dir = resolve(opts.dir);
  const fs = deps.fs ?? nodeWriteFs;
  // Without a native actionlint, validation needs the WebAssembly one: compile it while we detect and plan.
  preloadWasmActionlint(deps.env.PATH);
  let detected = await detect(dir, deps);
  refuseBelowTopLevel(dir, detected.gitTop);
  // A run killed part-way left temps or a journal: finish or clean up first, so this run converges.
  const recovered = opts.dryRun ? [] : recoverInterrupted(dir, fs);
  if (recovered.length) detected = await detect(dir, deps);
  if (!detected.goMod) throw noGoMod(dir);
  const stateText = readRepoText(dir, PATHS.state);
  const state = stateText === undefined ? undefined : parseState(PATHS.state, stateText);

  // Interactive: refuse a dirty repository before the first question, not after the last (item 13).
  if (opts.mode === "interactive" && !opts.allowDirty && !opts.dryRun) await refuseDirty(dir, mayChange(detected), deps);
  if (opts.mode === "interactive") deps.prompts.intro?.(state ? "relay-security: upgrade" : "relay-security: set up");
  let answers = await resolveAnswers(detected, state, { flags: opts.flags, answersFile: opts.answersFile, mode: opts.mode }, deps);
  // The registries are asked here, before the (synchronous, offline) plan; `check` never asks them.
  const baseImages = answers.pinBaseImages && answers.imageScan && answers.dockerfile ? await planBaseImagePins(dir, answers.dockerfile, { fetch: deps.fetch }) : undefined;
  const planOpts = { restore: opts.restore, onConflict: opts.onConflict, adopt: opts.adopt, baseImages };
  let plan;
  let tieNote: string | undefined;
  for (;;) {
    try {
      plan = buildPlan(detected, answers, state, planOpts);
      break;
    } catch (error) {
      // Several workflows could carry the gate and no one is there to ask: the default of the tie, said
      // in the plan (and recorded as the answer, so the next run keeps it).
      if (opts.mode !== "interactive" && error instanceof ChooseWorkflow && answers.workflow === undefined) {
        const { pick, why } = defaultOfTie(error.candidates);
        const others = error.candidates.filter((c) => c !== pick);
        tieNote = `several pull-request workflows could carry the gate (${error.candidates.map((c) => `${c.path}: ${c.evidence}`).join("; ")}): it goes into ${pick.path}, ${why}; it gates every pull request there as it would in ${others.map((c) => c.path).join(" or ")}; --workflow FILE for another`;
        answers = inSchemaOrder({ ...answers, workflow: pick.path });
        continue;
      }
      // Questions the plan raises (which workflow; a build arg only CI knows): asked when someone can answer.
      if (opts.mode !== "interactive") throw error;
      if (error instanceof ChooseWorkflow) {
        const workflow = await deps.prompts.select({
          message: "Which pull-request workflow should carry the image scan?",
          options: error.candidates.map((c) => ({ value: c.path, hint: c.evidence })),
        });
        if (workflow === CANCEL) throw new Cancelled();
        answers = inSchemaOrder({ ...answers, workflow });
      } else if (error instanceof NeedBuildArgs) {
        const given: string[] = [];
        for (const arg of error.missing) {
          const value = await deps.prompts.text({
            message: `Value of the build arg ${arg.name} (FROM uses it; its default ${arg.default === undefined ? "is empty" : `"${arg.default}"`} is a placeholder)`,
            validate: (v) => (v.trim() === "" || /[\r\n]|\$\{\{/.test(v) ? "a value on one line, without ${{" : undefined),
          });
          if (value === CANCEL) throw new Cancelled();
          given.push(`${arg.name}=${value}`);
        }
        answers = inSchemaOrder({ ...answers, buildArgs: [...(answers.buildArgs ?? []), ...given] });
      } else throw error;
    }
  }
  if (tieNote) plan.notes.unshift(tieNote);
  plan.notes.unshift(...recovered);
  // Where the image's name came from, on a first run that did not name it.
  const imageNote = !state && !opts.flags.image ? imageNameNote(detected, answers.image) : undefined;
  if (imageNote) plan.notes.unshift(imageNote);
  // The default among several Dockerfiles CI builds, unless the answers named one.
  if (!state && detected.dockerfileChosenOfSeveral && answers.imageScan && answers.dockerfile === detected.dockerfiles[0]?.path && !opts.flags.dockerfile) {
    plan.notes.unshift(detected.dockerfileChosenOfSeveral);
  }
  if (opts.dryRun && readRepoText(dir, JOURNAL) !== undefined) plan.notes.unshift(`an interrupted run left ${JOURNAL}; the next run without --dry-run finishes it first`);
  // Every target inside the repository and a regular file, checked before the plan is shown (items 1, 3, 6).
  plan.notes.push(...checkTargets(dir, plan.changes));
  const toWrite = writes(plan.changes);
  const nextRun = nextRunText(cronFor(answers.schedule, answers.image).cron, deps.now());
  if (nextRun && toWrite.length > 0) plan.notes.push(`the rescan runs ${cronFor(answers.schedule, answers.image).text}; next run ${nextRun}`);
  const conflicted = plan.changes.some((c) => c.action === "conflict");
  // --on-conflict fail is for unattended runs: an upgrade that needs a person writes nothing at all.
  const hold = opts.dryRun || (opts.onConflict === "fail" && conflicted);
  if (hold && !opts.dryRun) plan.notes.push("--on-conflict fail: a file conflicts, so nothing was written");

  const confirmed = opts.mode === "interactive" && toWrite.length > 0 && !hold;
  // The preview shows the notes so far; the summary after writing adds only the ones that came later.
  const notesShown = confirmed ? plan.notes.length : 0;
  if (confirmed) {
    deps.out(renderInitReport({ plan, findings: [], written: [], dryRun: true, diffs: opts.diff, preview: true }, deps.style));
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
      if (choice === "diff") {
        const diffs = renderInitReport({ plan, findings: [], written: [], dryRun: true, diffs: true, only: "diffs" }, deps.style);
        if (deps.page) await deps.page(diffs);
        else deps.out(diffs);
      }
      else throw new Cancelled();
    }
  }

  const pin = !hold && (await offerPins(dir, { mode: opts.mode, pin: Boolean(opts.pin), dryRun: opts.dryRun }, deps));
  const pinFiles = pin ? unpinned(dir).map((s) => s.file) : [];
  if (!hold && !opts.allowDirty) await refuseDirty(dir, [...new Set([...toWrite.filter((c) => c.before !== undefined).map((c) => c.path), ...pinFiles])], deps);
  const written = hold ? [] : applyPlan(dir, plan.changes, fs);
  opts.onWritten?.(written);
  if (pin) {
    const pinned = await pinNow(dir, deps);
    written.push(...pinned.written.filter((p) => !written.includes(p)));
    opts.onWritten?.(pinned.written);
    plan.notes.push(...pinned.notes);
  }
  // Markers written: git must see an unresolved merge, so `git commit -a` cannot commit them (issue 20.2).
  const staged = await recordConflicts(dir, plan.changes, written, deps);
  if (staged.length) plan.notes.push(`recorded as unmerged in git's index (git status: both modified): ${staged.join(", ")}; resolve, then git add`);
  // Held back by --on-conflict fail: nothing changed, so there is nothing of ours to validate.
  // actionlint and the Trivy preview take 6-10 s (a first database download much longer): say what runs.
  const spin = opts.mode === "interactive" && !(hold && !opts.dryRun) ? deps.progress?.(`Checking what was written: actionlint${answers.imageScan ? ", the Trivy gate preview" : ""}`) : undefined;
  const findings = hold && !opts.dryRun ? [] : await validateRepo(dir, { plan, answers, written, deps });
  spin?.stop(`Checked: ${findings.filter(countsAgainstUs).length} error(s) in what relay-security wrote`);
  if (!pin && !(hold && !opts.dryRun)) findings.push(...unpinnedFindings(dir, findings));

  // Only what we wrote or touched decides; the user's own lines are reported, not counted (issue 10).
  const failed = findings.some(countsAgainstUs);
  // Our step edited and kept: the re-run says what `check` says (issue 20.3), unless the user chose to keep
  // theirs in this very run (--on-conflict ours).
  const keptEdit = opts.onConflict !== "ours" && plan.changes.some((c) => c.keptEdit);
  const exitCode = conflicted || failed || keptEdit ? EXIT.findings : EXIT.ok;
  const next = nextSteps(answers, plan, written, state !== undefined, { ignored: await ignoredByGit(dir, written, deps), dependabot: detected.dependabotConfig, remote: detected.remote });
  const report: InitReport = { plan, findings, written, dryRun: opts.dryRun, diffs: opts.diff || opts.dryRun, exitCode, next, confirmed, notesShown };
  return { exitCode, report };
}

/** The paths among `paths` that the repository's .gitignore rules hide (a `.*` rule hides .github). */
async function ignoredByGit(dir: string, paths: string[], deps: Deps): Promise<string[]> {
  if (paths.length === 0) return [];
  // Exit 0: some are ignored (listed); 1: none; 128: not a repository. --no-index: a tracked file under an
  // ignored folder counts too, since `git add` refuses it without -f as well.
  const r = await deps.exec("git", ["-C", dir, "check-ignore", "--no-index", "--", ...paths]);
  return r.exitCode === 0 ? r.stdout.split("\n").map((l) => l.trim()).filter(Boolean) : [];
}

/** Says where the default image name came from: a workflow, or a guess from the origin remote. */
function imageNameNote(detected: Awaited<ReturnType<typeof detect>>, image: string): string | undefined {
  const uses = "the rescan builds the image under that name and titles its issues after it; --image NAME for another";
  const guess = detected.remote ? defaultImageName(detected.remote) : undefined;
  if (detected.publishedImage?.name === image && image !== guess) return `the image is named ${image}, as ${detected.publishedImage.from} names it: ${uses}`;
  if (!detected.publishedImage && image === guess) return `the image name ${image} is a guess from the origin remote (no workflow or GoReleaser config builds or publishes the image by a name relay-security can read): ${uses}`;
  return undefined;
}

// Folders a module of the service is never in (vendored, generated or test trees).
const NOT_THE_MODULE = /^(\.git|node_modules|vendor|third_party|testdata|\.tools|dist)$/;

/**
 * No go.mod at the top level. A repository whose module is in a folder (remark42's backend/, beside a
 * frontend/) hears where it is and that this is not supported yet, the same answer as a run there gets.
 */
function noGoMod(dir: string): UserError {
  const below = walkRepoFiles(dir, ".", { maxDepth: 2, skip: (name) => NOT_THE_MODULE.test(name) }).filter((f) => f.endsWith("/go.mod"));
  if (below.length === 0) return new UserError(`${join(dir, "go.mod")}: not found; run relay-security at the root of a Go module`);
  const list = below.length > 3 ? `${below.slice(0, 3).join(", ")} and ${below.length - 3} more` : below.join(", ");
  return new UserError(
    `${join(dir, "go.mod")}: not found; this repository's Go ${below.length === 1 ? "module is" : "modules are"} in a subdirectory (${list}), which relay-security does not support yet: GitHub runs workflows only from the top level's .github/workflows, and every job we write would need that folder. Nothing was written`,
  );
}

/**
 * GitHub runs workflows only from the top level's `.github/workflows`: files written in a subdirectory
 * would never run (item 4). Refused rather than guessed: where the module lives changes every job.
 */
function refuseBelowTopLevel(dir: string, gitTop: string | undefined): void {
  if (!gitTop || realpathSync(gitTop) === realpathSync(dir)) return;
  throw new UserError(
    `${dir} is below the git top level ${gitTop}: GitHub runs workflows only from ${join(gitTop, ".github", "workflows")}, so files written here would never run. Run relay-security at the top level (a Go module in a subdirectory is not supported yet); nothing was written`,
  );
}

/** Before any question: the existing files a run may change (pull-request workflows, our files, updater configs). */
function mayChange(d: Awaited<ReturnType<typeof detect>>): string[] {
  const ours = [...(Object.values(PATHS) as string[]), ...ALL_SCAN_SCRIPTS];
  const workflows = d.workflows.filter((w) => ours.includes(w.path) || /pull_request/.test(w.text)).map((w) => w.path);
  const others = [...ours, ...d.renovateConfigs, d.dependabotConfig, d.trivyignore].filter((p): p is string => p !== undefined);
  return [...new Set([...workflows, ...others.filter((p) => readRepoText(d.dir, p) !== undefined)])];
}

/** Files we would change that hold uncommitted edits: refuse, naming them, unless --allow-dirty. */
async function refuseDirty(dir: string, paths: string[], deps: Deps): Promise<void> {
  if (paths.length === 0) return;
  const r = await deps.exec("git", ["-C", dir, "status", "--porcelain", "--", ...paths]);
  if (r.exitCode !== 0) return; // not a git repository: nothing to compare against
  const dirty = r.stdout.split("\n").filter(Boolean).map((l) => l.slice(3));
  if (dirty.length) throw new UserError(`uncommitted changes in files this would change: ${dirty.join(", ")}; commit or stash them, or pass --allow-dirty`);
}
