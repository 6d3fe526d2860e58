import { existsSync } from "node:fs";
import { join, posix } from "node:path";
import { comparePaths, readEvidence, shown, walkRepoFiles } from "../fsguard.js";
import type { DockerfileInfo } from "../types.js";
import { parseDockerfile } from "./dockerfile.js";

/**
 * Which Dockerfile builds the service image (issue 10 §3, "Dockerfile choice"). Never one under
 * `.devcontainer/`, a test, testdata, fixture or example folder, nor an image that packages .deb/.rpm
 * files; among the rest, the ones a workflow, bake file, compose file or Makefile names; else the root
 * `Dockerfile`; else the only one. Several left: a question (interactive) or exit 2 naming --dockerfile.
 */

const SKIP_DIRS = new Set([".git", "node_modules", "vendor", "third_party", ".tools", "dist"]);
const NAME = /^(Dockerfile|Containerfile)([.-].+)?$|\.(Dockerfile|Containerfile)$/i;
const NEVER_DIR = /^(\.devcontainer|tests?|testdata|test-?data|fixtures?|examples?|samples?|e2e)$/i;
// Packaging toolchains: images that build .deb/.rpm packages, not the service. A `packaging/` folder
// alone says nothing: it often holds the service's own images too (packaging/docker/alpine/Dockerfile
// beside packaging/debian/Dockerfile), so there the text decides.
const PACKAGING_DIR = /^(debian|rpm|deb|pkg-build)$/i;
const PACKAGING_TEXT = /\b(dpkg-buildpackage|debuild|rpmbuild|devscripts|fpm\s+-s|nfpm\s+(pkg|package))\b/;
// Files that name the Dockerfile a release builds (goreleaser's `dockers:` and `dockers_v2:` among them).
const BUILD_FILES = /^(\.github\/workflows\/[^/]+\.ya?ml|\.?goreleaser\.ya?ml|([^/]+\/)*(GNU)?[Mm]akefile|([^/]+\/)*[^/]*\.mk|docker-bake\.(hcl|json)|([^/]+\/)*(docker-)?compose[^/]*\.ya?ml)$/;

export interface DockerfileChoice {
  /** Every Dockerfile found, candidates first (the preferred one first), excluded ones last. */
  dockerfiles: DockerfileInfo[];
  /** Several candidates remain and nothing decides between them. */
  ambiguous?: string[];
  /** Several are built by CI: the first one is the default, and this says so (a plan note). */
  chosenOfSeveral?: string;
}

// Through the guard (inside the repository, a regular file; issue 11), read for analysis only: what
// cannot be read that way (a link outside, a FIFO) is no candidate, and a Latin-1 comment is no reason
// to skip a Dockerfile.
const read = readEvidence;

// A Windows container image (velero's Dockerfile-Windows beside its Dockerfile): the gate's job runs on
// ubuntu-latest, whose Docker builds Linux images only.
const WINDOWS_BASE = /^mcr\.microsoft\.com\/windows(\/|:|$)|nanoserver|windowsservercore|servercore/i;

function excludedWhy(path: string, text: string, info: DockerfileInfo, exists: (rel: string) => boolean): string | undefined {
  const finalBase = info.finalBaseImage;
  const dirs = path.split("/").slice(0, -1);
  const never = dirs.find((d) => NEVER_DIR.test(d));
  if (never) return `under ${never}/, not the service image`;
  const pkg = dirs.find((d) => PACKAGING_DIR.test(d));
  if (pkg || PACKAGING_TEXT.test(text)) return "builds OS packages (a packaging toolchain image), not the service image";
  if (finalBase !== undefined && WINDOWS_BASE.test(finalBase)) return `a Windows image (FROM ${finalBase}), which the gate's Linux runner cannot build`;
  // A scan of it would test a remote branch on every pull request, never the pull request's code.
  if (info.clonesSource) return `builds from a clone of the source (line ${info.clonesSource.line}: ${shown(info.clonesSource.text, 80)}) and copies nothing from the build context, so a scan of it never sees the pull request's code`;
  // shiori's Dockerfile.compose: `go run` on a source folder compose mounts; a toolchain image.
  if (info.readsNoContext) return "copies nothing from the build context (no COPY or ADD of it, no RUN --mount of it), so its image holds none of the service's code";
  // nats' Dockerfile.nightly: COPY ./nats-server/ ./nsc/ ./natscli/, three checkouts side by side that a
  // nightly job lays out; from this repository's root (or the Dockerfile's folder) the build fails. One
  // that copies a prebuilt binary is missing it too, and has its own, more exact refusal.
  const sources = info.copiesPrebuiltBinary ? [] : (info.contextSources ?? []);
  const folder = dirs.join("/") || ".";
  const missing = sources.filter((src) => ![".", folder].some((ctx) => exists(posix.normalize(posix.join(ctx, src)))));
  if (sources.length > 0 && missing.length === sources.length) {
    return `copies ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", ..." : ""} from its build context, and ${missing.length === 1 ? "it is not" : "none of them is"} in the repository (from its root${folder === "." ? "" : ` or ${folder}/`}): it is built from a context laid out elsewhere`;
  }
  return undefined;
}

/**
 * Where `text` first names `path` as a Dockerfile (`-f path`, `file: path`, `dockerfile = "path"`, ...;
 * `from`'s folder for a relative path), or -1. The one test of naming: which Dockerfiles are named, and
 * which of several a file names first.
 */
function namedAt(text: string, path: string, from: string): number {
  if (path === "Dockerfile") return text.search(ROOT_NAMED);
  const rel = posix.relative(posix.dirname(from).replace(/^\.github\/workflows$/, "."), path) || path;
  const at = [...new Set([path, rel])].map((p) => text.search(new RegExp(`(^|[\\s"'=:/]|\\./)${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=$|[\\s"',}\\]])`, "m"))).filter((n) => n >= 0);
  return at.length > 0 ? Math.min(...at) : -1;
}

// The root `Dockerfile` is a word in prose ("on Dockerfile change"), so it counts as named only where it
// is a file: `-f Dockerfile`, `file: ./Dockerfile`, `DOCKERFILE ?= Dockerfile`, a `- 'Dockerfile'` item
// of a paths list. Otherwise the root is the default only when nothing else is named.
const ROOT_NAMED = /(?:(?:^|\s)(?:-f|--file)[=\s]+|\b(?:file|dockerfile|[A-Z_]*DOCKERFILE[A-Z_]*)\s*(?:[?:+]?=|:)\s*|^\s*-\s+)["']?(?:\.\/)?Dockerfile["']?(?=$|[\s,}\]])/im;

/** Whether a path a COPY reads is in the checkout (a file or a folder); one that leaves it counts as there. */
function inRepo(dir: string, rel: string): boolean {
  if (rel === "." || rel.startsWith("../") || rel === ".." || posix.isAbsolute(rel)) return true;
  return existsSync(join(dir, rel));
}

export function chooseDockerfiles(dir: string): DockerfileChoice {
  // One walk for both: the Dockerfiles and the files that name one, three folders deep.
  const files = walkRepoFiles(dir, ".", { maxDepth: 3, skip: (name) => SKIP_DIRS.has(name) });
  const paths = files.filter((f) => NAME.test(posix.basename(f))).sort((a, b) => a.split("/").length - b.split("/").length || comparePaths(a, b));
  const infos = paths.flatMap((p) => {
    const text = read(dir, p);
    if (text === undefined) return [];
    const info = parseDockerfile(p, text);
    const why = excludedWhy(p, text, info, (rel) => inRepo(dir, rel));
    return [{ ...info, ...(why ? { excluded: why } : {}) }];
  });
  const candidates = infos.filter((i) => !i.excluded);
  const buildFiles = files.filter((f) => BUILD_FILES.test(f)).map((f) => ({ f, text: read(dir, f) ?? "" }));
  const named = candidates.filter((c) => buildFiles.some(({ f, text }) => namedAt(text, c.path, f) >= 0));
  const root = candidates.find((c) => c.path === "Dockerfile");
  let preferred: DockerfileInfo[];
  let ambiguous: string[] | undefined;
  let chosenOfSeveral: string | undefined;
  // What a build file names may be a release image that COPYs a binary built outside the Dockerfile
  // (glance's Dockerfile.goreleaser, named by .goreleaser.yaml, beside a root Dockerfile that builds from
  // source): a clean checkout cannot build it, so the gate's job would fail on every pull request. When
  // every named one is such an image and the root Dockerfile builds from the checkout, the root one is
  // scanned, and the plan says why. (Another unnamed Dockerfile is no such evidence: it may be a tool's.)
  const unbuilt = named.length > 0 && named.every((n) => n.copiesPrebuiltBinary);
  const fromSource = unbuilt && root && !root.copiesPrebuiltBinary ? root : undefined;
  if (fromSource) {
    preferred = [fromSource];
    const by = named.map((n) => `${n.path} in ${firstNaming(n, buildFiles)}`).join("; ");
    chosenOfSeveral = `${by} ${named.length === 1 ? "COPYs a binary" : "COPY binaries"} that none of ${named.length === 1 ? "its" : "their"} stages builds (a release builds ${named.length === 1 ? "it" : "them"} first), which a clean checkout cannot build: scanning ${fromSource.path}, which builds from the source; choose another with --dockerfile PATH`;
  } else if (named.length === 1) preferred = named;
  else if (named.length > 1) {
    // Several are built (an alpine and a distroless variant; a release image and a compose one): one
    // that a clean checkout can build over one that COPYs a binary built outside it; then the one the
    // first build file names first is the default, said in the plan (a person is still asked). No
    // evidence at all stays a question or --dockerfile (below).
    const buildable = named.filter((n) => !n.copiesPrebuiltBinary);
    const pool = buildable.length > 0 ? buildable : named;
    const by = named.map((n) => `${n.path} in ${firstNaming(n, buildFiles)}`).join("; ");
    const first = pool.length === 1 ? { info: pool[0] as DockerfileInfo, file: "" } : firstNamed(pool, buildFiles);
    const why = pool.length === 1 ? `the only one of them a clean checkout can build (the others COPY a binary that none of their stages builds)` : `the first one ${first.file} builds`;
    preferred = [first.info];
    chosenOfSeveral = `several Dockerfiles are built here (${by}): scanning ${first.info.path}, ${why}; choose another with --dockerfile PATH`;
  } else if (root) preferred = [root];
  else if (candidates.length === 1) preferred = candidates;
  else {
    preferred = [];
    if (candidates.length > 1) ambiguous = candidates.map((c) => c.path);
  }
  const rest = candidates.filter((c) => !preferred.includes(c));
  const out: DockerfileChoice = { dockerfiles: [...preferred, ...rest, ...infos.filter((i) => i.excluded)] };
  if (ambiguous) out.ambiguous = ambiguous;
  if (chosenOfSeveral) out.chosenOfSeveral = chosenOfSeveral;
  return out;
}

// Build files in the order their naming counts: workflows first, then by path.
const byWeight = (buildFiles: { f: string; text: string }[]) => [...buildFiles].sort((a, b) => Number(!a.f.startsWith(".github/")) - Number(!b.f.startsWith(".github/")) || comparePaths(a.f, b.f));

/** The first build file that names `info` (it is named by one). */
const firstNaming = (info: DockerfileInfo, buildFiles: { f: string; text: string }[]) => byWeight(buildFiles).find(({ f, text }) => namedAt(text, info.path, f) >= 0)?.f ?? "CI";

/** Of several named Dockerfiles, the one the first build file (workflows first, then by path) names earliest. */
function firstNamed(named: DockerfileInfo[], buildFiles: { f: string; text: string }[]): { info: DockerfileInfo; file: string } {
  for (const { f, text } of byWeight(buildFiles)) {
    const at = named
      .map((info) => ({ info, index: namedAt(text, info.path, f) }))
      .filter((x) => x.index >= 0)
      .sort((a, b) => a.index - b.index)[0];
    if (at) return { info: at.info, file: f };
  }
  return { info: named[0] as DockerfileInfo, file: "CI" };
}
