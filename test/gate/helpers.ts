import { readdirSync, readFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseDockerfile } from "../../src/detect/dockerfile.js";
import type { GateRequest } from "../../src/gate/index.js";
import { renderGateStep, renderImageScanJob } from "../../src/render/index.js";
import { viewWith } from "../support/answers.js";

/** The fixed view every gate fixture is rendered with. */
export const VIEW = viewWith();

export const FIXTURES = new URL("../fixtures/gate/", import.meta.url).pathname;

/** Per-case options, `case.json` next to `input.yml`. */
export interface CaseOptions {
  /** Where input.yml lives in the repo (default .github/workflows/ci.yml). */
  path?: string;
  dockerfile?: string;
  workflow?: string;
  copiesPrebuiltBinary?: boolean;
  /** Substrings that must appear among the result's notes (or reason / summary). */
  notes?: string[];
  /** Why the case exists, for a reader of the fixtures. */
  about?: string;
}

export interface Case {
  name: string;
  dir: string;
  options: CaseOptions;
  input: string;
  path: string;
}

export function loadCases(): Case[] {
  return readdirSync(FIXTURES)
    .filter((name) => statSync(join(FIXTURES, name)).isDirectory())
    .sort()
    .map((name) => {
      const dir = join(FIXTURES, name);
      const caseFile = join(dir, "case.json");
      const options = existsSync(caseFile) ? (JSON.parse(readFileSync(caseFile, "utf8")) as CaseOptions) : {};
      return { name, dir, options, input: readFileSync(join(dir, "input.yml"), "utf8"), path: options.path ?? ".github/workflows/ci.yml" };
    });
}

/** The request for a case; `text` replaces input.yml (for the second run). */
export function requestFor(c: Case, text = c.input): GateRequest {
  const workflows = [{ path: c.path, text }];
  const extra = join(c.dir, "workflows");
  if (existsSync(extra)) {
    for (const f of readdirSync(extra).sort()) workflows.push({ path: `.github/workflows/${f}`, text: readFileSync(join(extra, f), "utf8") });
  }
  const dockerfile = c.options.dockerfile ?? "Dockerfile";
  // The fixture's own Dockerfile, read as detection reads it (case.json may still say otherwise).
  const dockerPath = join(c.dir, dockerfile);
  const info = existsSync(dockerPath) ? parseDockerfile(dockerfile, readFileSync(dockerPath, "utf8")) : undefined;
  return {
    workflows,
    dockerfile,
    ...(info?.prebuiltCopy ? { prebuiltCopy: info.prebuiltCopy } : {}),
    context: ".",
    ...(c.options.workflow ? { workflow: c.options.workflow } : {}),
    readFile: (rel) => {
      const p = join(c.dir, rel);
      return existsSync(p) && statSync(p).isFile() && !rel.startsWith("..") ? readFileSync(p, "utf8") : undefined;
    },
    copiesPrebuiltBinary: c.options.copiesPrebuiltBinary ?? info?.copiesPrebuiltBinary ?? false,
    step: (imageRef, condition) => renderGateStep(VIEW, imageRef, condition),
    job: () => renderImageScanJob(VIEW),
  };
}

/** A bare request for generated workflows (property tests). */
export function requestForText(text: string, path = ".github/workflows/ci.yml"): GateRequest {
  return {
    workflows: [{ path, text }],
    dockerfile: "Dockerfile",
    context: ".",
    readFile: () => undefined,
    copiesPrebuiltBinary: false,
    step: (imageRef, condition) => renderGateStep(VIEW, imageRef, condition),
    job: () => renderImageScanJob(VIEW),
  };
}
