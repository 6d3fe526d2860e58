import { parseYamlOnce } from "../yaml-once.js";
import type { WorkflowFile } from "../types.js";

/**
 * The image name the repository's CI publishes, for the default of `--image` (PRODUCT.md: "the origin
 * remote giving ghcr.io/<owner>/<repo>"; litestream's release publishes litestream/litestream, and a
 * rescan issue titled after ghcr.io/benbjohnson/litestream names an image nobody pulls). The name is
 * only ever a local tag in what we write (the gate's own job, the rescan), so a wrong guess breaks
 * nothing, but it is what the maintainer reads in the issues.
 *
 * Evidence, strongest first: docker/metadata-action's `images:`; a pushing docker/build-push-action's
 * literal `tags:` or the `name=` of an image output it pushes; a `docker push NAME:TAG` in a run step; a `docker build -t NAME:TAG`. Only literal names count (no `${{ }}`, no
 * shell variable), and for the last two only names with a namespace (`litestream:default` is a local
 * tag). Workflows are read in path order; the first name of the strongest kind wins.
 *
 * GoReleaser's config is read too (traefik/whoami's release pushes traefik/whoami from `.goreleaser.yml`,
 * and no workflow names it): the images a release pushes, as strong as a pushing build-push-action's
 * tags, after the workflows' (`goreleaserImages`).
 */

export interface PublishedImage {
  name: string;
  /** Where it was read, for the plan's note: `.github/workflows/release.yml (docker/metadata-action images)`. */
  from: string;
}

// A reference's name part as Docker takes it: lower case, an optional registry host (with a port), path
// components of [a-z0-9] separated by ., _, __ or -.
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
// The same rule as the answers schema's `imageName`.
const IMAGE_NAME = new RegExp(`^(?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]+)?/)?${COMPONENT}(?:/${COMPONENT})*$`);
const WITH_NAMESPACE = /\//;

/** `name:tag` or `name@sha256:…` -> name, when the name is literal (the tag may be an expression). */
function nameOf(ref: string): string | undefined {
  const bare = ref.trim().replace(/^["']|["']$/g, "").replace(/@.*$/, "");
  const slash = bare.lastIndexOf("/");
  const colon = bare.indexOf(":", slash + 1);
  const name = colon < 0 ? bare : bare.slice(0, colon);
  if (!IMAGE_NAME.test(name)) return undefined;
  // Docker Hub's short forms are one name: docker.io/library/x and x are the same image.
  return name.replace(/^(?:docker\.io|index\.docker\.io)\/(?:library\/)?/, "");
}

/** The items of a list input: one a line, or comma-separated; metadata-action's `name=x,enable=…` CSV form too. */
const items = (value: unknown): string[] =>
  typeof value === "string"
    ? value
        .split(/\r?\n/)
        .flatMap((line) => (/^\s*name=/.test(line) ? [line.replace(/^\s*name=/, "").split(",")[0] ?? ""] : line.split(",")))
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const action = (uses: unknown) => (typeof uses === "string" ? (uses.split("@")[0] ?? "").trim().toLowerCase() : "");
const DOCKER_PUSH = /(?:^|[\s;&|])docker\s+(?:image\s+)?push\s+(?:--\S+\s+)*([^\s;&|]+)/g;
const DOCKER_BUILD_TAG = /(?:^|[\s;&|])docker\s+(?:buildx\s+)?build\b[^\n;&|]*?\s(?:-t|--tag)[=\s]+([^\s;&|]+)/g;

/**
 * The expressions an image name is commonly built from, resolved from the origin remote: `${{
 * github.repository_owner }}/miniflux` (miniflux/v2), `ghcr.io/${{ github.repository }}`, and `${{
 * env.IMAGE_NAME }}` set to a literal (or one of those) in the workflow's or the job's `env:`. Lower case,
 * as Docker names must be. Anything else stays an expression, which no name matches.
 */
function resolver(remote: { owner: string; repo: string } | undefined, envs: Record<string, unknown>[]): (ref: string) => string {
  const github: Record<string, string> = remote ? { repository_owner: remote.owner, repository: `${remote.owner}/${remote.repo}`, "event.repository.name": remote.repo } : {};
  const ctx = (text: string) => text.replace(/\$\{\{\s*github\.(repository_owner|repository|event\.repository\.name)\s*\}\}/g, (all, key: string) => github[key]?.toLowerCase() ?? all);
  const env: Record<string, string> = {};
  for (const scope of envs) for (const [k, v] of Object.entries(scope)) if (typeof v === "string") env[k] = ctx(v);
  return (ref) => ctx(ref).replace(/\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (all, key: string) => (env[key] !== undefined && !env[key].includes("${{") ? env[key].toLowerCase() : all));
}

export function publishedImage(workflows: readonly WorkflowFile[], remote?: { owner: string; repo: string }, release?: { path: string; text: string }): PublishedImage | undefined {
  const found: (PublishedImage & { rank: number })[] = [];
  for (const wf of [...workflows].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    // Most workflows never publish an image: no parse for them.
    if (wf.notUtf8Line !== undefined || !/metadata-action|build-push-action|docker\s+(?:image\s+push|push|build|buildx)/.test(wf.text)) continue;
    let data: unknown;
    try {
      data = parseYamlOnce(wf.text).data();
    } catch {
      continue;
    }
    const jobs = isRecord(data) && isRecord(data["jobs"]) ? Object.values(data["jobs"]) : [];
    const envOf = (o: unknown) => (isRecord(o) && isRecord(o["env"]) ? [o["env"]] : []);
    for (const job of jobs) {
      const steps = isRecord(job) && Array.isArray(job["steps"]) ? job["steps"].filter(isRecord) : [];
      for (const step of steps) {
        const w = isRecord(step["with"]) ? step["with"] : {};
        const resolve = resolver(remote, [...envOf(data), ...envOf(job), ...envOf(step)]);
        const take = (refs: string[], rank: number, what: string, namespaced: boolean) => {
          for (const ref of refs) {
            const name = nameOf(resolve(ref));
            if (name && (!namespaced || WITH_NAMESPACE.test(name))) found.push({ name, from: `${wf.path} (${what})`, rank });
          }
        };
        const uses = action(step["uses"]);
        if (uses === "docker/metadata-action") take(items(w["images"]), 0, "docker/metadata-action images", false);
        if (uses === "docker/build-push-action" && (w["push"] === true || w["push"] === "true")) take(items(w["tags"]), 1, "docker/build-push-action tags", true);
        // navidrome pushes by digest: `outputs: type=image,name=ghcr.io/${{ github.repository }},push=true`.
        if (uses === "docker/build-push-action" && typeof w["outputs"] === "string") {
          const pushed = resolve(w["outputs"]).split(/\r?\n/).filter((o) => /(?:^|,)\s*type=(?:image|registry)\b/.test(o) && (/(?:^|,)\s*type=registry\b/.test(o) || /(?:^|,)\s*push=true\b/.test(o)));
          take(pushed.flatMap((o) => (/(?:^|,)\s*name=([^,]+)/.exec(o)?.[1] ?? "").split(/\s+/).filter(Boolean)), 1, "docker/build-push-action outputs", true);
        }
        if (typeof step["run"] === "string") {
          // Resolved first: `${{ github.repository }}` has spaces the word patterns stop at.
          const run = resolve(step["run"]);
          take([...run.matchAll(DOCKER_PUSH)].map((m) => m[1] as string), 2, "docker push", true);
          take([...run.matchAll(DOCKER_BUILD_TAG)].map((m) => m[1] as string), 3, "docker build -t", true);
        }
      }
    }
  }
  if (release) found.push(...goreleaserImages(release).map((f) => ({ ...f, rank: 1 })));
  const best = Math.min(...found.map((f) => f.rank));
  const first = found.find((f) => f.rank === best);
  return first ? { name: first.name, from: first.from } : undefined;
}

/** The names GoReleaser looks for its config under, in its order; the first that exists is the config. */
export const GORELEASER_FILES = [".goreleaser.yml", ".goreleaser.yaml", "goreleaser.yml", "goreleaser.yaml"];

/**
 * The images a GoReleaser config pushes, in file order: `dockers[].image_templates` (unless
 * `skip_push: true`), `dockers_v2[].images`, `docker_manifests[].name_template` and `kos[].repositories`
 * (or the older `repository`). A name must be literal; the tag may be a template (`traefik/whoami:{{
 * .Tag }}-amd64` names traefik/whoami), and a name with `{{ .Env.REGISTRY }}` in it names nothing. A
 * config that does not parse is no evidence.
 */
export function goreleaserImages(file: { path: string; text: string }): PublishedImage[] {
  let data: unknown;
  try {
    const parsed = parseYamlOnce(file.text);
    if (parsed.doc.errors.length > 0) return [];
    data = parsed.data();
  } catch {
    return [];
  }
  if (!isRecord(data)) return [];
  const out: PublishedImage[] = [];
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  const take = (refs: unknown[], what: string) => {
    for (const ref of refs) {
      const name = typeof ref === "string" ? nameOf(ref) : undefined;
      if (name && WITH_NAMESPACE.test(name)) out.push({ name, from: `${file.path} (${what})` });
    }
  };
  const entries = (key: string) => list(data[key]).filter(isRecord);
  for (const d of entries("dockers")) if (d["skip_push"] !== true && d["skip_push"] !== "true") take(list(d["image_templates"]), "dockers image_templates");
  for (const d of entries("dockers_v2")) take(list(d["images"]), "dockers_v2 images");
  for (const m of entries("docker_manifests")) take(list(m["name_template"]), "docker_manifests name_template");
  for (const k of entries("kos")) take([...list(k["repositories"]), ...list(k["repository"])], "kos repositories");
  return out;
}
