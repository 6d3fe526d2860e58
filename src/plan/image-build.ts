import type { Answers } from "../answers/schema.js";
import { repoPath } from "../answers/schema.js";
import { UserError } from "../errors.js";
import type { BuildSpec } from "../gate/index.js";
import type { DockerfileInfo, FromArg } from "../types.js";

/** How our image-scan job and the rescan build the image: CI's own build, with the answers on top. */
export interface ImageBuild {
  dockerfile: string;
  context: string;
  target?: string;
  platform?: string;
  /** `KEY=VALUE`, in a stable order. */
  args: string[];
}

/** An ARG used in FROM has a placeholder default and nothing gives it a value: asked, or --build-arg. */
export class NeedBuildArgs extends UserError {
  readonly missing: FromArg[];
  constructor(dockerfile: string, missing: FromArg[], ci?: BuildSpec) {
    // CI may pass it with a value computed when it runs (gotify's Makefile: GO_VERSION=$(shell go mod edit -json | jq ...)).
    const computed = missing.filter((a) => ci?.unresolved.includes(a.name));
    const why = computed.length
      ? `; ${ci?.where} passes ${computed.map((a) => `--build-arg ${a.name}`).join(", ")} with a value computed when it runs, which relay-security cannot read`
      : ", and no CI build shows the value it passes";
    super(
      `${dockerfile}: FROM uses ${missing.map((a) => `ARG ${a.name}${a.default === undefined ? "" : `=${a.default}`}`).join(", ")}, a placeholder${why}; ` +
        `pass it with ${missing.map((a) => `--build-arg ${a.name}=VALUE`).join(" ")}`,
    );
    this.missing = missing;
  }
}

/** The build args the image is built with: CI's, under the answers' `--build-arg` (which win). */
export function buildArgsFor(answers: Pick<Answers, "buildArgs">, ci: BuildSpec | undefined): Record<string, string> {
  const args: Record<string, string> = { ...(ci?.args ?? {}) };
  for (const a of answers.buildArgs ?? []) args[a.slice(0, a.indexOf("="))] = a.slice(a.indexOf("=") + 1);
  return args;
}

/**
 * CI's file, context, target, platform and build args (issue 10 §3), under the answers: `--context`
 * other than `.` and every `--build-arg` win. Notes say what was carried over and what could not be.
 */
export function imageBuildFor(answers: Answers, ci: BuildSpec | undefined, info: DockerfileInfo | undefined): { build: ImageBuild; notes: string[] } {
  const dockerfile = answers.dockerfile ?? "Dockerfile";
  const notes: string[] = [];
  const args = buildArgsFor(answers, ci);
  const ciContext = ci?.context !== undefined && repoPath("the context").safeParse(ci.context).success ? ci.context : undefined;
  const build: ImageBuild = {
    dockerfile,
    context: answers.context !== "." ? answers.context : (ciContext ?? "."),
    args: Object.entries(args).map(([k, v]) => `${k}=${v}`),
  };
  // A target whose outputs are files is a stage of binaries, not the image: the last stage is.
  if (ci?.target && !ci.exportsFiles) build.target = ci.target;
  if (ci?.target && ci.exportsFiles) notes.push(`${ci.where} builds target ${ci.target} into files (its outputs are type=local or tar), not an image: the rescan (and an image-scan job of ours) builds the Dockerfile's last stage instead`);
  if (ci?.platform) build.platform = ci.platform;
  if (ci) {
    const carried = [
      ...(build.context !== "." && build.context === ciContext ? [`context ${build.context}`] : []),
      ...(build.target ? [`target ${build.target}`] : []),
      ...(build.platform ? [`platform ${build.platform}`] : []),
      ...Object.keys(ci.args).map((k) => `build arg ${k}`),
    ];
    if (carried.length > 0) notes.push(`the rescan (and an image-scan job of ours) builds ${dockerfile} as ${ci.where} does: ${carried.join(", ")}`);
    const lost = ci.unresolved.filter((k) => !(k in args));
    if (lost.length > 0) notes.push(`${ci.where} passes ${lost.map((k) => `--build-arg ${k}`).join(", ")} with a value computed in the run, which the rescan cannot know; the image is built with the Dockerfile's default (pass --build-arg ${lost[0]}=VALUE to set it)`);
  }
  const missing = (info?.fromArgs ?? []).filter((a) => a.placeholder && !(a.name in args));
  if (missing.length > 0) throw new NeedBuildArgs(dockerfile, missing, ci);
  return { build, notes };
}
