import { existsSync, readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { join } from "node:path";
import { adoptInWorkflow, explainDuplicateRescan, explainHandWritten, spotDuplicateRescan } from "../adopt/index.js";
import type { Answers } from "../answers/schema.js";
import { UserError } from "../errors.js";
import { planGate, type GateResult } from "../gate/index.js";
import { ourBlockData } from "../gate/locate.js";
import { isolateScan, staleIsolatedJob } from "../gate/isolate.js";
import { explainPrivileges } from "../gate/privileges.js";
import type { ConflictStrategy } from "../merge/threeway.js";
import { loadPins, type PinsData } from "../pins.js";
import { buildView, PATHS, renderCi, renderGateStep, renderGovulncheckIgnore, renderIgnoreFile, renderImageScanJob, renderIsolatedScanJob, renderSecurityScan } from "../render/index.js";
import { renderState, type GateRecord, type State } from "../state/index.js";
import type { Detected, FileChange } from "../types.js";
import { planOwnedFile } from "./owned.js";
import { planUpdaterFiles } from "./updater.js";

export interface PlanOptions {
  restore: boolean;
  onConflict: ConflictStrategy;
  /** `--adopt`: replace a hand-written file at a path we manage, re-pin tracked bare-SHA Trivy pins. */
  adopt?: boolean;
  /** The pins data to render with (default `data/pins.json`); another one renders another release. */
  pins?: PinsData;
  /**
   * `check`: our gate step is the policy the repository promises (issue 6: "including the injected step"),
   * so a hand edit of it is drift there, even though an upgrade keeps it.
   */
  strictGate?: boolean;
}

/** Several pull-request workflows qualify for the gate: a question for the user (or --workflow). */
export class ChooseWorkflow extends UserError {
  readonly candidates: string[];
  constructor(candidates: string[]) {
    super(`several workflows run on pull_request and could carry the gate (${candidates.join(", ")}); choose one with --workflow FILE`);
    this.candidates = candidates;
  }
}

export interface Plan {
  changes: FileChange[];
  gate: GateResult;
  /** Things the user should know that are not a file change. */
  notes: string[];
}

const readRel = (dir: string, rel: string) => {
  const p = join(dir, rel);
  return existsSync(p) ? readFileSync(p, "utf8") : undefined;
};

/**
 * Compute every change, writing nothing (changesets' assembleReleasePlan): `--dry-run` prints this;
 * `applyPlan` writes it.
 */
export function buildPlan(detected: Detected, answers: Answers, state: State | undefined, opts: PlanOptions): Plan {
  const { dir } = detected;
  if (!detected.goMod) throw new UserError(`${join(dir, "go.mod")}: not found; relay-security sets up Go modules (run it at the module root)`);
  const pins = opts.pins ?? loadPins();
  const view = buildView({ answers, modulePath: detected.goMod.modulePath, goModFile: "go.mod", pins });
  const changes: FileChange[] = [];
  const notes: string[] = [];
  const generated = state?.files ?? {};
  const nextGenerated: Record<string, { generated: string }> = {};

  // The state keeps the render we last merged into the file: the new one once it is in the file (even
  // with conflict markers, which the user resolves against it), the old one when nothing was written.
  const owned = (path: string, next: string) => {
    const current = readRel(dir, path);
    const last = generated[path]?.generated;
    const found = last === undefined && current !== undefined && path.startsWith(".github/workflows/") ? explainHandWritten(path, current) : undefined;
    notes.push(...(found?.notes ?? []));
    const change = planOwnedFile({ path, next, current, generated: last, restore: opts.restore, onConflict: opts.onConflict, adopt: opts.adopt, handWritten: found?.labels });
    changes.push(change);
    const inFile = change.action === "create" || change.action === "update" || change.action === "unchanged" || (change.action === "conflict" && change.after !== change.before);
    const record = inFile ? next : last;
    if (record !== undefined) nextGenerated[path] = { generated: record };
  };

  owned(PATHS.securityScan, renderSecurityScan(view));

  if (answers.imageScan) {
    // The scanner's ignore file: .trivyignore, or .grype.yaml with --scanner grype. One the user already has stays theirs.
    const ignore = view.ignoreFile;
    const existing = ignore === PATHS.trivyignore ? detected.trivyignore : readRel(dir, ignore) !== undefined ? ignore : undefined;
    const rule = ignore === PATHS.trivyignore ? "WHY / TODO / exp:" : "WHY / TODO (the TODO date is the expiry)";
    if (existing && generated[ignore] === undefined) notes.push(`${existing}: kept as it is; \`relay-security validate\` checks its entries against the ${rule} rule.`);
    else owned(ignore, renderIgnoreFile(view));
  }

  // govulncheck's accepted risks (issue 17): written once with its header; one the user already has stays theirs.
  if (readRel(dir, PATHS.govulncheckIgnore) !== undefined && generated[PATHS.govulncheckIgnore] === undefined) {
    notes.push(`${PATHS.govulncheckIgnore}: kept as it is; \`relay-security validate\` checks its entries against the WHY / TODO / exp: rule.`);
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
        workflows: detected.workflows.filter((w) => w.path !== PATHS.securityScan),
        dockerfile: answers.dockerfile ?? "Dockerfile",
        context: answers.context,
        workflow: answers.workflow,
        readFile: (rel) => readRel(dir, rel),
        copiesPrebuiltBinary: detected.dockerfiles.find((d) => d.path === answers.dockerfile)?.copiesPrebuiltBinary ?? false,
        step: (imageRef) => renderGateStep(view, imageRef),
        job: () => renderImageScanJob(view),
      })
    : { kind: "none", notes: ["no image scan (--no-image-scan): only govulncheck runs"] };
  // Issue 20 item 7: with --isolated-scan the scanner runs in a job of its own, next to the build job.
  const gate = view.isolatedSave ? isolateScan(planned, { job: (build) => renderIsolatedScanJob(view, build), readFile: (rel) => readRel(dir, rel) }) : planned;
  const stale = !view.isolatedSave && (gate.kind === "edit" || gate.kind === "unchanged") ? staleIsolatedJob(gate.file, gate.kind === "edit" ? gate.after : readRel(dir, gate.file)) : undefined;
  if (stale) notes.push(stale);

  // Issue 20 item 7: the scanner runs next to whatever the build job holds; say what that is.
  const scannerName = view.grype ? "anchore/scan-action (Grype)" : "aquasecurity/trivy-action (Trivy)";
  const held = view.isolatedSave ? undefined : gate.kind === "edit" ? explainPrivileges(gate.file, gate.after, scannerName) : gate.kind === "unchanged" ? explainPrivileges(gate.file, readRel(dir, gate.file) ?? "", scannerName) : undefined;
  if (held) notes.push(held);

  let gateRecord: GateRecord | undefined = state?.gate;
  switch (gate.kind) {
    case "edit": {
      const kept = opts.strictGate ? undefined : keepUserEditedStep(gate, state?.gate, opts.onConflict);
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
      throw new UserError(`${gate.file}: ${gate.reason}`, { details: ["", gate.manual] });
  }

  adoptUserWorkflows(detected, changes, notes, { ours: new Set([PATHS.securityScan, ...(nextGenerated[PATHS.ci] || generated[PATHS.ci] ? [PATHS.ci] : [])]), adopt: Boolean(opts.adopt), pins });

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
  return { changes, gate, notes };
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
  if (isDeepStrictEqual(ourBlockData(gate.file, gate.after), last.step)) {
    return { path: gate.file, action: "unchanged", before: gate.before, after: gate.before, reason: "your edits to the relay-security step kept; nothing new from us" };
  }
  if (onConflict === "ours") return { path: gate.file, action: "unchanged", before: gate.before, after: gate.before, reason: "you edited the relay-security step; kept yours (--on-conflict ours)" };
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
function adoptUserWorkflows(detected: Detected, changes: FileChange[], notes: string[], opts: { ours: Set<string>; adopt: boolean; pins: PinsData }): void {
  for (const wf of detected.workflows) {
    if (opts.ours.has(wf.path)) continue;
    const existing = changes.find((c) => c.path === wf.path);
    const base = existing?.action === "update" ? existing.after : undefined;
    // Issue 20 item 6: a scheduled rescan of the user's that does what ours does is retired, not doubled.
    const dup = existing ? undefined : spotDuplicateRescan(wf.path, wf.text);
    if (dup) {
      notes.push(explainDuplicateRescan(dup, { adopt: opts.adopt, ours: PATHS.securityScan }));
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
    `${PATHS.securityScan} reports in GitHub issues and 7-day run artifacts, which anyone who can read the repository can read: in a public repository, everyone sees the fixable CVEs of the image you deploy (${whose}). If it is public, re-run with --report code-scanning to report through code scanning instead (visible only to people with write access).`,
  ];
}
