import { toExpression, type EnvScope } from "./resolve.js";
import { LOADING, splitList } from "./shapes.js";
import type { DockerBuild } from "./shell.js";
import type { Build } from "./types.js";

/**
 * Whether a build leaves its image, tagged, in the Docker daemon where our step can scan it, and by
 * which name (the rules and their sources are in shapes.ts, LOADING).
 */

/** Job-level state that changes what a later build does. */
export interface JobState {
  containerBuilder: boolean; // setup-buildx-action (docker-container driver) or `docker buildx create --use`
  buildxInstalled: boolean; // `docker build` follows the selected builder (setup-buildx `install: true`)
  env: Set<string>;
  metadata: Map<string, Record<string, unknown>>; // metadata-action step id -> its inputs
}

export function runGate(b: DockerBuild, scope: EnvScope, st: JobState, builderEnv: boolean): Build["gate"] {
  const cmd = b.buildx ? "docker buildx build" : "docker build";
  if (b.platforms.length > 1) return { ok: false, why: `${cmd} builds for ${b.platforms.join(", ")}; a multi-platform image cannot be loaded into the Docker daemon` };
  const toDaemon = b.load || b.outputs.some((o) => /(^|,)type=docker(,|$)/.test(o));
  let loads: string | undefined;
  if (toDaemon) loads = LOADING.load;
  else if (b.outputs.length > 0 || b.push) loads = undefined;
  else if (b.builder === undefined && !builderEnv && !b.buildx && !st.buildxInstalled) loads = LOADING.dockerBuild;
  else if (b.builder === undefined && !builderEnv && b.buildx && !st.containerBuilder) loads = LOADING.buildxDockerDriver;
  if (!loads) {
    const why = b.push || b.outputs.length > 0 ? LOADING.pushNoLoad : LOADING.containerNoLoad;
    return { ok: false, why: `${cmd} ${why}` };
  }
  if (b.tags.length === 0) return { ok: false, why: `${cmd} gives the image no tag to scan it by` };
  for (const tag of b.tags) {
    const ref = toExpression(tag, scope);
    if (ref !== undefined) return { ok: true, imageRef: ref, addLoad: false, how: loads };
  }
  return { ok: false, why: `the tag ${b.tags[0]} is computed by the shell, so a later step cannot name the image` };
}

export function buildPushGate(step: Record<string, unknown>, w: Record<string, unknown>, st: JobState): Build["gate"] {
  const platforms = splitList(String(w["platforms"] ?? ""));
  if (platforms.length > 1) return { ok: false, why: `build-push-action builds for ${platforms.join(", ")}; a multi-platform image cannot be loaded into the Docker daemon (so it cannot be scanned there)` };
  const outputs = String(w["outputs"] ?? "").trim();
  const toDaemon = /(^|,)type=docker(,|$)/m.test(outputs);
  if (outputs && !toDaemon) return { ok: false, why: `build-push-action sets outputs (${outputs.split("\n")[0]}), which decides where the image goes; adding load: true would change that` };
  if (String(w["load"] ?? "") === "false") return { ok: false, why: "build-push-action sets load: false explicitly; the gate does not override it" };
  const push = String(w["push"] ?? "false");
  const container = st.containerBuilder || (typeof w["builder"] === "string" && w["builder"] !== "");
  const loaded = String(w["load"] ?? "") === "true" || toDaemon || (!container && push !== "true");
  if (!loaded && !container) return { ok: false, why: "build-push-action pushes on the docker driver without load: true" };
  const how = loaded
    ? String(w["load"] ?? "") === "true" ? LOADING.bpaLoad : LOADING.bpaDockerDriver
    : LOADING.bpaContainer;
  const tag = splitList(String(w["tags"] ?? ""))[0];
  const meta = /^\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.tags\s*\}\}$/.exec(tag ?? "");
  if (tag !== undefined && !meta && tag.trim()) return { ok: true, imageRef: tag, addLoad: !loaded, how };
  const metaInputs = meta ? st.metadata.get(meta[1] as string) : undefined;
  if (meta && metaInputs && metadataTagsOnPullRequest(metaInputs)) {
    // metadata-action's `tags` output is several lines; its `json` output holds them as a list.
    return { ok: true, imageRef: `\${{ fromJSON(steps.${meta[1]}.outputs.json).tags[0] }}`, addLoad: !loaded, how };
  }
  const id = typeof step["id"] === "string" ? step["id"] : undefined;
  const gate: Build["gate"] = { ok: true, imageRef: `\${{ steps.${id ?? "relay-security-build"}.outputs.imageid }}`, addLoad: !loaded, how: `${how}; scanned by its imageid output` };
  if (!id) gate.addId = "relay-security-build";
  return gate;
}

/** True when docker/metadata-action gives the image at least one tag on a pull_request event. */
function metadataTagsOnPullRequest(inputs: Record<string, unknown>): boolean {
  if (inputs["tags"] === undefined) return true; // the default tags include type=ref,event=pr
  return String(inputs["tags"])
    .split(/\r?\n/)
    .some((l) => /event=pr\b/.test(l) || (/type=(sha|raw)\b/.test(l) && !/enable=/.test(l)));
}

