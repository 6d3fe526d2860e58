import { isDeepStrictEqual } from "node:util";
import { join } from "node:path";
import { adoptInWorkflow, explainDuplicateRescan, explainHandWritten, spotDuplicateRescan } from "../adopt/index.js";
import type { BaseImagePins } from "../digests/index.js";
import type { Answers } from "../answers/schema.js";
import { UserError } from "../errors.js";
import { readRepoText, readRepoTextForAnalysis } from "../fsguard.js";
import { findCiBuild, planGate, type GateResult } from "../gate/index.js";
import { ourBlockData } from "../gate/locate.js";
import { isolateScan, staleIsolatedJob } from "../gate/isolate.js";
import { explainPrivileges } from "../gate/privileges.js";
import type { ConflictStrategy } from "../merge/threeway.js";
import { loadPins, type PinsData } from "../pins.js";
import { buildView, PATHS, renderCheckWorkflow, renderCi, renderGateStep, renderGovulncheckIgnore, renderIgnoreFile, renderImageScanJob, renderIsolatedScanJob, renderScanningDocs, renderSecurityDb, renderDbAction, renderSecurityScan } from "../render/index.js";
import { renderScanScripts } from "../render/scripts.js";
import { renderState, type GateRecord, type State } from "../state/index.js";
import type { Detected, FileChange } from "../types.js";
import { imageBuildFor } from "./image-build.js";
import { planOwnedFile } from "./owned.js";
import { retiredScripts } from "./scripts.js";
import { planUpdaterFiles } from "./updater.js";

export interface PlanOptions {
  restore: boolean;
  onConflict: ConflictStrategy;
  /** `--adopt`: replace a hand-written file at a path we manage, re-pin tracked bare-SHA Trivy pins. */
  adopt?: boolean;
  /** The pins data to render with (default `data/pins.json`); another one renders another release. */
  pins?: PinsData;
  /** `--pin-base-images`: the Dockerfile with its FROM lines pinned (resolved before planning: it needs the network). */
  baseImages?: BaseImagePins;
}

/** The way out of an edited gate step, printed by `check` and by a re-run alike. */
export const KEPT_EDIT_WAY_OUT =
  "`npx create-relay-security --yes --on-conflict theirs` puts relay-security's step back; to change the policy, re-run with other answers (--severity, ...) instead of editing the step";

/** Several pull-request workflows qualify for the gate: a question for the user (or --workflow). */
export class ChooseWorkflow extends UserError {
  readonly candidates: { path: string; evidence: string }[];
  constructor(candidates: { path: string; evidence: string }[]) {
    super("several pull-request workflows could carry the gate, and nothing decides between them; choose one with --workflow FILE", {
      details: candidates.map((c) => `  ${c.path}: ${c.evidence}`),
    });
    this.candidates = candidates;
  }
}

export interface Plan {
  changes: FileChange[];
  gate: GateResult;
  /** Things the user should know that are not a file change. */
  notes: string[];
  /** The user's Renovate config when, as they set it up, it leaves our rules idle (a note says why). */
  renovateIdle?: string;
}

/** Code scanning on a private repository is part of GitHub Advanced Security (issue 13, item 6). */
export const SARIF_NOTE =
  "--sarif: the rescan uploads the image findings to code scanning. A public repository has code scanning for free; a private one needs GitHub Advanced Security (Code Security) enabled, or the upload job fails with \"Advanced Security must be enabled for this repository to use code scanning\" (the scan and the issues still work).";

// Through the guard (issue 11): a directory or an outside link where a file is expected is exit 2.
const readRel = (dir: string, rel: string) => readRepoText(dir, rel);
// What the gate reads only to understand CI's build (Makefiles, bake files, the Dockerfile) and never
// writes: a Latin-1 comment there is no reason to refuse (readRepoTextForAnalysis).

/**
 * Compute every change, writing nothing (changesets' assembleReleasePlan): `--dry-run` prints this;
 * `applyPlan` writes it.
 */
export function buildPlan(detected: Detected, answers: Answers, state: State | undefined, opts: PlanOptions): Plan {
  const { dir } = detected;
  if (!detected.goMod) throw new UserError(`${join(dir, "go.mod")}: not found; relay-security sets up Go modules (run it at the module root)`);
  const pins = opts.pins ?? loadPins();
  const workflows = detected.workflows.filter((w) => w.path !== PATHS.securityScan);
  const dockerfileInfo = detected.dockerfiles.find((d) => d.path === answers.dockerfile);
  const changes: FileChange[] = [];
  const notes: string[] = [];
  // Build the image as CI builds it (issue 10 §3): our job and the rescan copy CI's build options.
  let image: ReturnType<typeof imageBuildFor> | undefined;
  if (answers.imageScan) {
    image = imageBuildFor(answers, findCiBuild({ workflows, dockerfile: answers.dockerfile ?? "Dockerfile", readFile: (rel) => readRepoTextForAnalysis(dir, rel) }), dockerfileInfo);
    notes.push(...image.notes);
  }
  const view = buildView({ answers, modulePath: detected.goMod.modulePath, goModFile: "go.mod", pins, ...(image ? { build: image.build } : {}) });
  const generated = state?.files ?? {};
  const nextGenerated: Record<string, { generated: string }> = {};

  // The state keeps the render we last merged into the file: the new one once it is in the file (even
  // with conflict markers, which the user resolves against it), the old one when nothing was written.
  // `required`: a file other files call (our database action): deleted by hand, it is written again, since
  // leaving it deleted would break every workflow step that uses it.
  const owned = (path: string, next: string, required = false) => {
    const current = readRel(dir, path);
    const last = generated[path]?.generated;
    const found = last === undefined && current !== undefined && path.startsWith(".github/workflows/") ? explainHandWritten(path, current) : undefined;
    notes.push(...(found?.notes ?? []));
    const restore = opts.restore || (required && current === undefined);
    const planned = planOwnedFile({ path, next, current, generated: last, restore, onConflict: opts.onConflict, adopt: opts.adopt, handWritten: found?.labels });
    const change = required && !opts.restore && current === undefined && last !== undefined
      ? { ...planned, reason: "written again: you deleted it, but the gate, the rescan and the daily job call it (`uses: ./.github/actions/relay-security-db`)" }
      : planned;
    changes.push(change);
    const inFile = change.action === "create" || change.action === "update" || change.action === "unchanged" || (change.action === "conflict" && change.after !== change.before);
    const record = inFile ? next : last;
    if (record !== undefined) nextGenerated[path] = { generated: record };
  };

  owned(PATHS.securityScan, renderSecurityScan(view));
  // Its steps' scripts, files of their own (issue 10): merged, checked and listed like the workflow.
  const scripts = renderScanScripts(view);
  for (const script of scripts) owned(script.path, script.text);
  const retired = retiredScripts({ generated, running: scripts.map((s) => s.path), read: (path) => readRel(dir, path) });
  changes.push(...retired.changes);
  notes.push(...retired.notes);
  owned(PATHS.docs, renderScanningDocs(view));
  if (view.sarif) notes.push(SARIF_NOTE);
  if (answers.checkWorkflow) owned(PATHS.checkWorkflow, renderCheckWorkflow(view));
  else if (generated[PATHS.checkWorkflow]) notes.push(`${PATHS.checkWorkflow}: no longer managed (--no-check-workflow); left as it is, delete it if you do not want it`);
  // The daily database download the gate and the rescan restore (issue 18); no image scan, no database.
  if (answers.imageScan) {
    owned(PATHS.securityDb, renderSecurityDb(view));
    // One copy of the database steps, called by the gate, the rescan and the daily job.
    owned(PATHS.dbAction, renderDbAction(view), true);
  }

  if (answers.imageScan) {
    // The scanner's ignore file: .trivyignore, or .grype.yaml with --scanner grype. One the user already has stays theirs.
    const ignore = view.ignoreFile;
    const existing = readRel(dir, ignore) !== undefined ? ignore : undefined;
    const rule = ignore === PATHS.trivyignore ? "WHY / TODO / exp:" : ignore === PATHS.trivyignoreYaml ? "statement / TODO / expired_at" : "WHY / TODO (the TODO date is the expiry)";
    if (existing && generated[ignore] === undefined) notes.push(`${existing}: kept as it is; \`npx create-relay-security validate\` checks its entries against the ${rule} rule.`);
    else owned(ignore, renderIgnoreFile(view));
  }

  // govulncheck's accepted risks (issue 17): written once with its header; one the user already has stays theirs.
  if (readRel(dir, PATHS.govulncheckIgnore) !== undefined && generated[PATHS.govulncheckIgnore] === undefined) {
    notes.push(`${PATHS.govulncheckIgnore}: kept as it is; \`npx create-relay-security validate\` checks its entries against the WHY / TODO / exp: rule.`);
  } else owned(PATHS.govulncheckIgnore, renderGovulncheckIgnore(view));

  notes.push(...reportExposure(detected, answers));

  if (view.reachability) {
    notes.push(
      `--reachability: before the gate's Trivy step, govulncheck checks which Go module vulnerabilities ${detected.goMod.modulePath} never calls; ` +
        "their statements go to Trivy as OpenVEX, rewritten to match the modules of this service's binary in the image, so the gate does not fail on them. " +
        "OS packages and the Go standard library are never suppressed, and a vulnerability govulncheck cannot clear still fails the gate. The PR's log lists each suppressed finding and why (Trivy's --show-suppressed).",
    );
  }

  const planned: GateResult = answers.imageScan
    ? planGate({
        workflows,
        dockerfile: answers.dockerfile ?? "Dockerfile",
        context: answers.context,
        workflow: answers.workflow,
        readFile: (rel) => readRepoTextForAnalysis(dir, rel),
        copiesPrebuiltBinary: dockerfileInfo?.copiesPrebuiltBinary ?? false,
        ...(dockerfileInfo?.prebuiltCopy ? { prebuiltCopy: dockerfileInfo.prebuiltCopy } : {}),
        step: (imageRef, condition) => renderGateStep(view, imageRef, condition),
        job: () => renderImageScanJob(view),
      })
    : { kind: "none", notes: ["no image scan (--no-image-scan): only govulncheck runs"] };
  // Issue 20 item 7: with --isolated-scan the scanner runs in a job of its own, next to the build job.
  const gate = view.isolatedSave ? isolateScan(planned, { job: (build) => renderIsolatedScanJob(view, build), readFile: (rel) => readRepoTextForAnalysis(dir, rel) }) : planned;
  const stale = !view.isolatedSave && (gate.kind === "edit" || gate.kind === "unchanged") ? staleIsolatedJob(gate.file, gate.kind === "edit" ? gate.after : readRel(dir, gate.file)) : undefined;
  if (stale) notes.push(stale);

  // Issue 20 item 7: the scanner runs next to whatever the build job holds; say what that is.
  const scannerName = view.grype ? "anchore/scan-action (Grype)" : "aquasecurity/trivy-action (Trivy)";
  const held = view.isolatedSave ? undefined : gate.kind === "edit" ? explainPrivileges(gate.file, gate.after, scannerName) : gate.kind === "unchanged" ? explainPrivileges(gate.file, readRel(dir, gate.file) ?? "", scannerName) : undefined;
  if (held) notes.push(held);

  let gateRecord: GateRecord | undefined = state?.gate;
  // A ci.yml we created (no workflow at all before) is ours: it is merged like our other files, and the
  // gate step in it is part of that render. Taking the gate's path here would move it from the owned
  // files to a gate record, so the second run would rewrite the state the first one wrote (issue 10).
  if ((gate.kind === "edit" || gate.kind === "unchanged") && gate.file === PATHS.ci && generated[PATHS.ci] !== undefined) {
    owned(PATHS.ci, renderCi(view));
  } else switch (gate.kind) {
    case "edit": {
      const kept = keepUserEditedStep(gate, state?.gate, opts.onConflict);
      changes.push(kept ?? { path: gate.file, action: "update", before: gate.before, after: gate.after, reason: gate.summary, notes: gate.notes });
      if (!kept) gateRecord = { file: gate.file, edits: gate.addedLoad ? ["load: true"] : [], step: ourBlockData(gate.file, gate.after) };
      break;
    }
    case "unchanged":
      changes.push({ path: gate.file, action: "unchanged", reason: gate.summary });
      gateRecord = { file: gate.file, edits: state?.gate?.edits ?? [], step: ourBlockData(gate.file, readRel(dir, gate.file) ?? "") };
      break;
    case "none":
      notes.push(...gate.notes);
      if (answers.imageScan || generated[PATHS.ci]) owned(PATHS.ci, renderCi(view));
      break;
    case "already-scanned":
      notes.push(`${gate.file}: ${gate.summary}`, ...gate.notes);
      break;
    case "choose":
      throw new ChooseWorkflow(gate.candidates);
    case "refuse":
      // The way forward that needs no change to their build: the rescan of the code alone, for now.
      throw new UserError(`${gate.file}: ${gate.reason}`, {
        details: ["", gate.manual, "", "Or set up the rest without the image gate for now: re-run with --no-image-scan (the daily govulncheck rescan of the code and its issues); to add the gate later, re-run with --image-scan."],
      });
  }

  if (opts.baseImages) {
    if (opts.baseImages.change) changes.push(opts.baseImages.change);
    notes.push(...opts.baseImages.notes);
  }

  adoptUserWorkflows(detected, changes, notes, { ours: new Set([PATHS.securityScan, PATHS.checkWorkflow, ...(nextGenerated[PATHS.ci] || generated[PATHS.ci] ? [PATHS.ci] : [])]), adopt: Boolean(opts.adopt), pins, report: answers.report });

  const updater = planUpdaterFiles({ dir, detected, answers, generated, previousRenovate: state?.renovate, readRel: (rel) => readRel(dir, rel) });
  for (const file of updater.owned) owned(file.path, file.text);
  changes.push(...updater.changes);
  notes.push(...updater.notes);

  const stateText = renderState({ answers: { ...answers }, files: nextGenerated, gate: gateRecord, renovate: updater.renovate });
  const currentState = readRel(dir, PATHS.state);
  changes.push({
    path: PATHS.state,
    action: currentState === undefined ? "create" : currentState === stateText ? "unchanged" : "update",
    before: currentState,
    after: stateText,
    reason: "your answers and what was generated, for the next upgrade",
  });
  // Several sources can say the same thing (each build of a matrix, each workflow): say it once.
  for (const c of changes) if (c.notes) c.notes = [...new Set(c.notes)];
  return { changes, gate, notes: [...new Set(notes)], ...(updater.renovateIdle ? { renovateIdle: updater.renovateIdle } : {}) };
}

/**
 * Our step in the user's workflow, edited by the user since we wrote it: replacing it would lose their
 * change, so (unless --on-conflict theirs) the file is left as it is and listed as a conflict, with the
 * new step in the diff. Compared as data, so re-indenting or comments inside it do not count as edits.
 */
function keepUserEditedStep(gate: Extract<GateResult, { kind: "edit" }>, last: GateRecord | undefined, onConflict: PlanOptions["onConflict"]): FileChange | undefined {
  if (!last?.step || last.file !== gate.file || onConflict === "theirs") return undefined;
  const current = ourBlockData(gate.file, gate.before);
  if (current === undefined || isDeepStrictEqual(current, last.step)) return undefined;
  // Nothing new from us (three-way: theirs == base): the user's step stays, quietly.
  // Either way the step is not the policy we promise: `keptEdit` says so to `check` and to this run.
  const keptEdit = { after: gate.after };
  if (isDeepStrictEqual(ourBlockData(gate.file, gate.after), last.step)) {
    return { path: gate.file, action: "unchanged", before: gate.before, after: gate.before, reason: "your edits to the relay-security step kept; nothing new from us", keptEdit };
  }
  if (onConflict === "ours") return { path: gate.file, action: "unchanged", before: gate.before, after: gate.before, reason: "you edited the relay-security step; kept yours (--on-conflict ours)", keptEdit };
  return {
    path: gate.file,
    action: "conflict",
    before: gate.before,
    after: gate.before,
    reason: "you edited the relay-security step (id: relay-security-scan) since it was written; left as it is so your change is not lost (the diff shows the new step; --on-conflict theirs writes it, ours keeps yours)",
    notes: [gate.after],
  };
}

/**
 * The hand-written patterns in workflows the user owns (issue 6): noted, and with --adopt the tracked
 * bare-SHA Trivy pins re-pinned, on top of the gate's edit when it edits the same file.
 */
function adoptUserWorkflows(detected: Detected, changes: FileChange[], notes: string[], opts: { ours: Set<string>; adopt: boolean; pins: PinsData; report: "issues" | "code-scanning" }): void {
  for (const wf of detected.workflows) {
    if (opts.ours.has(wf.path)) continue;
    const existing = changes.find((c) => c.path === wf.path);
    const base = existing?.action === "update" ? existing.after : undefined;
    // Issue 20 item 6: a scheduled rescan of the user's that does what ours does is retired, not doubled.
    const dup = existing ? undefined : spotDuplicateRescan(wf.path, wf.text);
    if (dup) {
      notes.push(explainDuplicateRescan(dup, { adopt: opts.adopt, ours: PATHS.securityScan, report: opts.report }));
      if (dup.retire && opts.adopt) {
        changes.push({ path: wf.path, action: "delete", before: wf.text, reason: `your scheduled rescan, which duplicates ${PATHS.securityScan} (--adopt)` });
        continue;
      }
    }
    const found = adoptInWorkflow({ path: wf.path, text: wf.text, base, adopt: opts.adopt, pins: opts.pins });
    notes.push(...found.notes);
    if (found.after === undefined) continue;
    const what = `re-pinned ${found.repins.map((r) => `line ${r.line}`).join(", ")} to relay-security's Trivy pin (--adopt)`;
    if (existing?.action === "update") {
      existing.after = found.after;
      existing.notes = [...(existing.notes ?? []), what];
    } else {
      if (existing) changes.splice(changes.indexOf(existing), 1);
      changes.push({ path: wf.path, action: "update", before: wf.text, after: found.after, reason: what });
    }
  }
}

/**
 * Issue 20 item 8: what the rescan's reports expose, said at set-up. Issues (and the 7-day artifacts the
 * issues job reads) are readable by anyone who can read the repository; for a public one that is
 * everyone, and they list the fixable CVEs of the image you deploy.
 */
function reportExposure(detected: Detected, answers: Answers): string[] {
  if (answers.report === "code-scanning") {
    return [`--report code-scanning: ${PATHS.securityScan} uploads its findings to this repository's code scanning (Security tab), which only people with write access see; it files no issues and keeps no result artifacts.`];
  }
  const whose =
    detected.visibility?.kind === "public"
      ? `this repository looks public (${detected.visibility.why})`
      : "relay-security cannot tell offline whether this repository is public";
  return [
    `${PATHS.securityScan} reports in GitHub issues and 7-day run artifacts, which anyone who can read the repository can read: in a public repository, everyone sees the fixable CVEs of ${answers.imageScan ? "the image you deploy" : "the code you ship"} (${whose}). If it is public, re-run with --report code-scanning to report through code scanning instead (visible only to people with write access).`,
  ];
}
