import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Answers } from "../answers/schema.js";
import { UserError } from "../errors.js";
import { planGate, type GateResult } from "../gate/index.js";
import type { ConflictStrategy } from "../merge/threeway.js";
import { buildView, PATHS, renderCi, renderGateStep, renderImageScanJob, renderSecurityScan, renderTrivyignore } from "../render/index.js";
import { renderState, type GateRecord, type State } from "../state/index.js";
import type { Detected, FileChange } from "../types.js";
import { planOwnedFile } from "./owned.js";
import { planUpdaterFiles } from "./updater.js";

export interface PlanOptions {
  restore: boolean;
  onConflict: ConflictStrategy;
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
  const view = buildView({ answers, modulePath: detected.goMod.modulePath, goModFile: "go.mod" });
  const changes: FileChange[] = [];
  const notes: string[] = [];
  const generated = state?.files ?? {};
  const nextGenerated: Record<string, { generated: string }> = {};

  const owned = (path: string, next: string) => {
    changes.push(planOwnedFile({ path, next, current: readRel(dir, path), generated: generated[path]?.generated, ...opts }));
    nextGenerated[path] = { generated: next };
  };

  owned(PATHS.securityScan, renderSecurityScan(view));

  if (answers.imageScan) {
    const foreignIgnore = detected.trivyignore && generated[PATHS.trivyignore] === undefined;
    if (foreignIgnore) notes.push(`${detected.trivyignore}: kept as it is; \`relay-security validate\` checks its entries against the WHY / TODO / exp: rule.`);
    else owned(PATHS.trivyignore, renderTrivyignore(view));
  }

  const gate: GateResult = answers.imageScan
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

  let gateRecord: GateRecord | undefined = state?.gate;
  switch (gate.kind) {
    case "edit":
      changes.push({ path: gate.file, action: "update", before: gate.before, after: gate.after, reason: gate.summary, notes: gate.notes });
      gateRecord = { file: gate.file, edits: gate.addedLoad ? ["load: true"] : [] };
      break;
    case "unchanged":
      changes.push({ path: gate.file, action: "unchanged", reason: gate.summary });
      break;
    case "none":
      notes.push(...gate.notes);
      if (answers.imageScan || generated[PATHS.ci]) owned(PATHS.ci, renderCi(view));
      break;
    case "already-scanned":
      notes.push(`${gate.file}: ${gate.summary}`, ...gate.notes);
      break;
    case "choose":
      throw new UserError(`several workflows run on pull_request and build images (${gate.candidates.join(", ")}); choose one with --workflow FILE`);
    case "refuse":
      throw new UserError(`${gate.file}: ${gate.reason}`, { details: ["", gate.manual] });
  }

  const updater = planUpdaterFiles({ dir, detected, answers, generated, readRel: (rel) => readRel(dir, rel) });
  for (const file of updater.owned) owned(file.path, file.text);
  changes.push(...updater.changes);
  notes.push(...updater.notes);

  const stateText = renderState({ answers: { ...answers }, files: nextGenerated, gate: gateRecord });
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
