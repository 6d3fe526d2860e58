import { posix } from "node:path";
import type { BakeTarget } from "./bake.js";
import { resolveKnown } from "./resolve.js";
import type { DockerBuild } from "./shell.js";
import type { BuildSpec } from "./types.js";

/**
 * What a CI build passes to `docker build` (file, context, target, build args, platform), read from
 * build-push-action's inputs or `docker build` flags (also inside Makefile recipes), with the values
 * known before the run resolved. Our own job and the rescan then build the same image (issue 10 §3).
 */

interface Known {
  env: Record<string, string>;
  inputs: Record<string, string>;
}

const literal = (v: string, k: Known): string | undefined => {
  const r = resolveKnown(v, k.env, k.inputs);
  return /\$/.test(r) ? undefined : r;
};
const repoRel = (cwd: string, p: string) => posix.normalize(posix.join(cwd, p.replace(/^\.\/(?=.)/, ""))).replace(/\/$/, "") || ".";

/**
 * Whether every output of a build exports files rather than an image (`type=local,dest=./out`,
 * `type=tar`, buildx's bare `-o ./dir`): navidrome's "Build Binaries" step builds its `binary` stage
 * that way. Such a build's target is not the image, so it is the last build to copy.
 */
export function exportsFiles(outputs: string[]): boolean {
  const kinds = outputs.map((o) => o.trim()).filter(Boolean).map((o) => /(?:^|,)type=([a-z]+)/.exec(o)?.[1] ?? (/(?:^|,)dest=/.test(o) || !o.includes("=") ? (o === "-" ? "tar" : "local") : "other"));
  return kinds.length > 0 && kinds.every((k) => k === "local" || k === "tar");
}

/** One platform of a list: the runner's own (linux/amd64) when listed, else the first. */
export function onePlatform(list: string[]): string | undefined {
  return list.find((p) => p === "linux/amd64") ?? list[0];
}

function addArgs(spec: BuildSpec, items: string[], k: Known): void {
  for (const item of items) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    // `--build-arg KEY` takes the value from the environment of the build.
    const value = eq < 0 ? k.env[key] : literal(item.slice(eq + 1), k);
    if (value === undefined || /[\r\n]/.test(value)) spec.unresolved.push(key);
    else spec.args[key] = value;
  }
}

export function specFromBuildPush(w: Record<string, unknown>, k: Known, where: string, list: (v: string) => string[]): BuildSpec {
  const spec: BuildSpec = { where, args: {}, unresolved: [] };
  const str = (key: string) => (typeof w[key] === "string" ? literal(w[key] as string, k) : undefined);
  const context = str("context");
  if (context !== undefined) spec.context = repoRel(".", context);
  const file = str("file");
  if (file !== undefined) spec.file = repoRel(".", file);
  const target = str("target");
  if (target) spec.target = target;
  const platform = onePlatform(list(String(w["platforms"] ?? "")).filter((p) => !p.includes("$")));
  if (platform) spec.platform = platform;
  addArgs(spec, list(String(w["build-args"] ?? "")), k);
  if (exportsFiles(list(String(w["outputs"] ?? "")))) spec.exportsFiles = true;
  return spec;
}

export function specFromDocker(b: DockerBuild, cwd: string, k: Known, where: string): BuildSpec {
  const spec: BuildSpec = { where, args: {}, unresolved: [] };
  const context = b.context === undefined ? undefined : literal(b.context, k);
  if (context !== undefined) spec.context = repoRel(cwd, context);
  const file = b.file === undefined ? undefined : literal(b.file, k);
  if (file !== undefined) spec.file = repoRel(cwd, file);
  const target = b.target === undefined ? undefined : literal(b.target, k);
  if (target) spec.target = target;
  const platform = onePlatform(b.platforms.filter((p) => !p.includes("$")));
  if (platform) spec.platform = platform;
  addArgs(spec, b.buildArgs, k);
  if (exportsFiles(b.outputs)) spec.exportsFiles = true;
  return spec;
}

/** A bake target's options (its Dockerfile path is already repo-relative, joined to its context). */
export function specFromBake(t: BakeTarget, where: string): BuildSpec {
  const spec: BuildSpec = { where, args: {}, unresolved: [], context: t.context, file: t.dockerfile };
  if (t.target && !t.target.includes("$")) spec.target = t.target;
  const platform = onePlatform(t.platforms.filter((p) => !p.includes("$")));
  if (platform) spec.platform = platform;
  for (const [k, v] of Object.entries(t.args)) {
    if (v.includes("$") || /[\r\n]/.test(v)) spec.unresolved.push(k);
    else spec.args[k] = v;
  }
  return spec;
}
