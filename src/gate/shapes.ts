/**
 * The build shapes the PR gate recognises, as data (STYLE.md, "data in tables"). `docker build`,
 * `docker buildx build`, `docker/build-push-action` and `make` are read in detail by `build.ts`; the rest
 * are recognised here and reported, and the gate then adds its own image-scan job.
 *
 * Why each outcome (issue 3, "Find the build" / "Put the gate in"):
 * - `docker build` loads: since Docker CLI 23 `docker build` is the buildx alias that always uses the
 *   default context builder (docker driver) unless `--builder` or BUILDX_BUILDER names another, even after
 *   docker/setup-buildx-action created a docker-container builder (docker/cli#3676). Only
 *   `setup-buildx-action` with `install: true` / `docker buildx install` makes it follow the selected builder.
 * - `docker buildx build` without `--load` loads only on the docker driver ("Images built with the Docker
 *   driver are automatically loaded", docs.docker.com/build/builders/drivers/docker/). After
 *   setup-buildx-action (docker-container driver by default) the result stays in the build cache.
 * - `--push` without `--load`: counted as "not loaded" even on the docker driver; we do not rely on the
 *   driver keeping a pushed image, an extra build in our own job is the safe side.
 */

/**
 * Whether a build leaves the image in the Docker daemon, one line per rule, with the source that says so.
 * `build.ts` applies them in this order; the text is what the plan's notes say.
 */
export const LOADING = {
  // docs.docker.com/reference/cli/docker/buildx/build/#load: shorthand for --output=type=docker.
  load: "--load puts the image in the Docker daemon",
  // docker/cli#3676 (Docker 23+): `docker build` always uses the default context builder (docker driver)
  // unless --builder or BUILDX_BUILDER name another; the docker driver loads.
  dockerBuild: "docker build uses the default docker-driver builder, which loads the image (docker/cli#3676)",
  // docs.docker.com/build/builders/drivers/docker/: "automatically loaded to the local image store".
  buildxDockerDriver: "docker buildx build on the default docker driver loads the image",
  // docs.docker.com/build/builders/drivers/: other drivers export to the build cache only.
  containerNoLoad: "runs on a docker-container builder without --load, so the image stays in the build cache",
  // Not relied on even on the docker driver: we do not depend on a pushed image staying behind.
  pushNoLoad: "sends the image elsewhere (--push/--output) without --load",
  bpaLoad: "build-push-action has load: true",
  // build-push-action passes no --load; on the docker driver buildx loads anyway.
  bpaDockerDriver: "build-push-action on the default docker driver loads the image",
  bpaContainer: "build-push-action runs on a docker-container builder (setup-buildx-action) without load: true",
} as const;

/** A step recognised by `uses:` prefix or by a command in its `run:` script. */
export interface StepShape {
  id: "compose" | "bake" | "goreleaser" | "ko";
  uses?: string[];
  run?: RegExp;
  /** What we did about it, for the plan's notes. `{where}` is "job build, step 3". */
  note: string;
}

export const REPORTED_SHAPES: readonly StepShape[] = [
  {
    id: "compose",
    run: /\bdocker(?:\s+compose|-compose)\b[^\n]*\s(?:build|up\s[^\n]*--build)\b/,
    note: "{where} builds with docker compose; compose names its images from the compose file, so the gate builds and scans the image in its own image-scan job",
  },
  {
    id: "bake",
    uses: ["docker/bake-action"],
    run: /\bdocker\s+buildx\s+bake\b/,
    note: "{where} builds with buildx bake; the targets and their outputs live in the bake file, so the gate builds and scans the image in its own image-scan job",
  },
  {
    id: "goreleaser",
    uses: ["goreleaser/goreleaser-action"],
    run: /(?:^|[\s;&|/])goreleaser(?:\s|$)/m,
    note: "{where} runs goreleaser, which builds its images from its own config; the gate does not scan inside it",
  },
  {
    id: "ko",
    uses: ["ko-build/setup-ko", "imjasonh/setup-ko"],
    run: /(?:^|[\s;&|])ko\s+(?:build|publish|resolve|apply)\b/m,
    note: "{where} builds with ko, which does not use the Dockerfile; the gate builds and scans the Dockerfile image in its own image-scan job",
  },
];

/** Scanners that mean "this workflow already gates on the image" (issue 3, "Already scanned"). */
export interface ScannerShape {
  id: string;
  uses?: string;
  /** For actions: true when the step's inputs say it scans an image (not a directory or repo). */
  scansImage?: (withInputs: Record<string, unknown>) => boolean;
  run?: RegExp;
}

export const SCANNER_SHAPES: readonly ScannerShape[] = [
  {
    id: "aquasecurity/trivy-action",
    uses: "aquasecurity/trivy-action",
    // scan-type defaults to "image" (trivy-action action.yaml).
    scansImage: (w) => w["scan-type"] === undefined || w["scan-type"] === "image" || w["image-ref"] !== undefined,
  },
  { id: "anchore/scan-action", uses: "anchore/scan-action", scansImage: (w) => w["image"] !== undefined },
  // `trivy image x`, `trivy i x`, `docker run aquasec/trivy:0.x image x`; setup-trivy only installs it.
  { id: "trivy image", run: /(?:^|[\s;&|/])trivy(?::\S+)?\s+(?:--?\S+\s+)*(?:image|i)\s/m },
  { id: "grype", run: /(?:^|[\s;&|/])grype(?::\S+)?\s+(?!dir:|file:|sbom:|db\b|version\b|-h\b|--help\b|--version\b)[^\s#]/m },
];

/** Action prefixes read by `build.ts`. */
export const BUILD_PUSH_ACTION = "docker/build-push-action";
export const SETUP_BUILDX_ACTION = "docker/setup-buildx-action";
export const METADATA_ACTION = "docker/metadata-action";

/** `uses: owner/repo@ref` (or `owner/repo/path@ref`) names `action`. */
export function usesAction(uses: unknown, action: string): boolean {
  if (typeof uses !== "string") return false;
  const name = uses.split("@")[0]?.trim().toLowerCase() ?? "";
  return name === action || name.startsWith(`${action}/`);
}

/** A list input: one item a line, or comma-separated (commas inside `${{ }}` kept). */
export function splitList(value: string): string[] {
  const items: string[] = [];
  for (const line of value.split(/\r?\n/)) {
    let depth = 0;
    let cur = "";
    for (let i = 0; i < line.length; i++) {
      if (line.startsWith("${{", i)) depth++;
      if (line.startsWith("}}", i) && depth > 0) depth--;
      if (line[i] === "," && depth === 0) {
        items.push(cur);
        cur = "";
      } else cur += line[i];
    }
    items.push(cur);
  }
  return items.map((s) => s.trim()).filter(Boolean);
}
