import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { isUtf8 } from "node:buffer";
import type { Deps } from "../deps.js";
import { UserError } from "../errors.js";
import { listRepoDir, readRepoBytes, readEvidence, readRepoText, repoFileExists } from "../fsguard.js";
import { findRenovateConfigs, RENOVATE_CONFIG_FILES } from "../renovate/locate.js";
import type { Detected, WorkflowFile } from "../types.js";
import { GORELEASER_FILES, publishedImage } from "./image-name.js";
import { chooseDockerfiles } from "./dockerfiles.js";
import { parseGoMod } from "./gomod.js";
import { parseRemote } from "./remote.js";
import { detectVisibility } from "./visibility.js";

// Through the guard: inside the root, a regular file, UTF-8 (issue 11); a directory there is an error.
const read = (dir: string, rel: string) => readRepoText(dir, rel);

/** A workflow's text, and where it stops being UTF-8 (editing it would then replace the user's bytes). */
function readWorkflow(path: string, bytes: Buffer): WorkflowFile {
  const text = bytes.toString("utf8");
  if (isUtf8(bytes)) return { path, text };
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl;
    if (!isUtf8(bytes.subarray(start, end))) break;
    start = end + 1;
  }
  return { path, text, notUtf8Line: line };
}

function dockerfilesOf(dir: string): Pick<Detected, "dockerfiles" | "dockerfileAmbiguous" | "dockerfileChosenOfSeveral"> {
  const choice = chooseDockerfiles(dir);
  return {
    dockerfiles: choice.dockerfiles,
    ...(choice.ambiguous ? { dockerfileAmbiguous: choice.ambiguous } : {}),
    ...(choice.chosenOfSeveral ? { dockerfileChosenOfSeveral: choice.chosenOfSeveral } : {}),
  };
}

async function git(deps: Deps, dir: string, args: string[]): Promise<string | undefined> {
  const r = await deps.exec("git", ["-C", dir, ...args]);
  return r.exitCode === 0 ? r.stdout.trim() || undefined : undefined;
}

/** Read everything the questions are pre-filled from. Fails only when `dir` is unusable. */
export async function detect(dir: string, deps: Deps): Promise<Detected> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: no such directory`);
  const goModText = read(dir, "go.mod");
  const goMod = goModText === undefined ? undefined : parseGoMod(goModText);
  if (goMod?.moduleProblem) throw new UserError(`${join(dir, "go.mod")}: ${goMod.moduleProblem}; fix the module line (go mod edit -module PATH)`);
  const gitTop = await git(deps, dir, ["rev-parse", "--show-toplevel"]);

  const originUrl = await git(deps, dir, ["remote", "get-url", "origin"]);
  const parsed = originUrl ? parseRemote(originUrl) : undefined;
  const remote = parsed && originUrl ? { ...parsed, url: originUrl } : undefined;
  const originHead = await git(deps, dir, ["symbolic-ref", "--short", "refs/remotes/origin/HEAD"]);
  const defaultBranch = originHead?.replace(/^origin\//, "") ?? (await git(deps, dir, ["symbolic-ref", "--short", "HEAD"]));

  // Read as bytes through the guard (inside the root, a regular file): a workflow that is not UTF-8 is
  // kept out of every edit (see readWorkflow) rather than refusing the whole run.
  const workflows = listRepoDir(dir, ".github/workflows")
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => readWorkflow(`.github/workflows/${f}`, readRepoBytes(dir, `.github/workflows/${f}`) ?? Buffer.alloc(0)));

  const renovateConfigs = findRenovateConfigs(
    RENOVATE_CONFIG_FILES.filter((f) => read(dir, f) !== undefined),
    (f) => read(dir, f),
  );

  const published = publishedImage(workflows, remote, goreleaserConfig(dir));
  return {
    dir,
    ...(published ? { publishedImage: published } : {}),
    ...(gitTop ? { gitTop } : {}),
    goMod: goMod?.modulePath ? { modulePath: goMod.modulePath, goVersion: goMod.goVersion, toolchain: goMod.toolchain } : undefined,
    ...dockerfilesOf(dir),
    remote,
    defaultBranch,
    workflows,
    renovateConfigs,
    // Only read, never edited: a Latin-1 comment in it is no reason to stop (its existence is enough here).
    dependabotConfig: [".github/dependabot.yml", ".github/dependabot.yaml"].find((f) => repoFileExists(dir, f)),
    trivyignore: [".trivyignore", ".trivyignore.yaml"].find((f) => read(dir, f) !== undefined),
    visibility: detectVisibility((rel) => read(dir, rel)),
    stateFile: read(dir, ".github/relay-security.json") === undefined ? undefined : ".github/relay-security.json",
  };
}

/**
 * The GoReleaser config, read only for the image names it pushes: bytes that are not UTF-8 become U+FFFD,
 * and one the guard refuses (a link out of the repository) is no evidence rather than a reason to stop,
 * since nothing depends on it but the default of --image (readEvidence).
 */
function goreleaserConfig(dir: string): { path: string; text: string } | undefined {
  for (const path of GORELEASER_FILES) {
    const text = readEvidence(dir, path);
    if (text !== undefined) return { path, text };
  }
  return undefined;
}
