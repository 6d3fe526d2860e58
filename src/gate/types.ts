/**
 * The values that travel through the gate's pipeline (see index.ts):
 * locate build steps (find-builds.ts) -> decide placement (place.ts) -> build our edit (edit.ts, on
 * splice.ts) -> verify (verify.ts). Every file imports only files later in that list or leaves
 * (locate, shell, shapes, resolve, makefile, refuse, types); none imports index.ts.
 */

export interface GateRequest {
  /** Every .github/workflows/*.y(a)ml with its raw text. */
  workflows: { path: string; text: string; notUtf8Line?: number }[];
  /** The chosen Dockerfile, repo-relative. */
  dockerfile: string;
  /** The build context, usually ".". */
  context: string;
  /** `--workflow FILE` (a path or a file name). */
  workflow?: string;
  readFile(rel: string): string | undefined;
  /** The Dockerfile only COPYs a prebuilt binary (goreleaser style). */
  copiesPrebuiltBinary: boolean;
  /** The COPY line of the Dockerfile that takes the prebuilt binary, named in the refusal. */
  prebuiltCopy?: { line: number; text: string };
  /** Our step at column 0 (renderGateStep). */
  step(imageRef: string, condition?: string): string;
  /** Our image-scan job at column 0 (renderImageScanJob). */
  job(): string;
}

export type GateResult =
  | { kind: "edit"; file: string; before: string; after: string; summary: string; notes: string[]; addedLoad: boolean }
  | { kind: "unchanged"; file: string; summary: string }
  | { kind: "none"; notes: string[] }
  | { kind: "already-scanned"; file: string; job: string; summary: string; notes: string[] }
  /** A real tie between pull-request workflows: each with the evidence for it. */
  | { kind: "choose"; candidates: { path: string; evidence: string }[] }
  | { kind: "refuse"; file: string; reason: string; manual: string };

/**
 * How CI builds the image (issue 10 §3, "build what CI builds"): what our own job and the rescan must
 * pass to `docker build` too. Only values known before the run are kept; the names of build args whose
 * values GitHub or the shell compute are listed in `unresolved`.
 */
export interface BuildSpec {
  /** "ci.yml, job build, step 3", for the plan's notes. */
  where: string;
  file?: string;
  context?: string;
  target?: string;
  platform?: string;
  args: Record<string, string>;
  unresolved: string[];
  /** Its outputs are files (`type=local`/`tar`), not an image: its target is no image to scan. */
  exportsFiles?: boolean;
}

/** A step that builds the chosen Dockerfile, and whether the gate can scan what it leaves behind. */
export interface Build {
  jobKey: string;
  index: number;
  where: string;
  spec: BuildSpec;
  /** "exact": the step names the Dockerfile; "maybe": its path is computed. */
  match: "exact" | "maybe";
  gate:
    | { ok: true; imageRef: string; addLoad: boolean; addId?: string; how: string; condition?: string }
    | { ok: false; why: string };
  /** A matrix build: what the plan says of it, for a gate step in its job, or for our own job. */
  matrix?: { step: string; job: string };
}

/** Which scanner our rendered step runs, for messages (`--scanner grype` renders anchore/scan-action). */
export const scannerOf = (stepText: string) => (/\buses: anchore\/scan-action@/.test(stepText) ? "Grype" : "Trivy");
