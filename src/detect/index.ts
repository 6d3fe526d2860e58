import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Deps } from "../deps.js";
import { UserError } from "../errors.js";
import { findRenovateConfigs, RENOVATE_CONFIG_FILES } from "../renovate/locate.js";
import type { Detected, DockerfileInfo } from "../types.js";
import { parseDockerfile } from "./dockerfile.js";
import { parseGoMod } from "./gomod.js";
import { parseRemote } from "./remote.js";
import { detectVisibility } from "./visibility.js";

const SKIP_DIRS = new Set([".git", "node_modules", "vendor", "testdata", "third_party", ".tools", "dist"]);

const read = (dir: string, rel: string) => {
  const p = join(dir, rel);
  return existsSync(p) && statSync(p).isFile() ? readFileSync(p, "utf8") : undefined;
};

/** Dockerfiles up to three levels down; the root `Dockerfile` first, then by depth and name. */
function findDockerfiles(dir: string): DockerfileInfo[] {
  const found: string[] = [];
  const walk = (rel: string, depth: number) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory() && depth < 3 && !SKIP_DIRS.has(entry.name)) walk(path, depth + 1);
      else if (entry.isFile() && /^(Dockerfile|Containerfile)(\..+)?$|\.Dockerfile$/.test(entry.name)) found.push(path);
    }
  };
  walk("", 0);
  const rank = (p: string) => (p === "Dockerfile" ? 0 : 1) * 1000 + p.split("/").length * 10;
  return found
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((p) => parseDockerfile(p, readFileSync(join(dir, p), "utf8")));
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

  const originUrl = await git(deps, dir, ["remote", "get-url", "origin"]);
  const parsed = originUrl ? parseRemote(originUrl) : undefined;
  const remote = parsed && originUrl ? { ...parsed, url: originUrl } : undefined;
  const originHead = await git(deps, dir, ["symbolic-ref", "--short", "refs/remotes/origin/HEAD"]);
  const defaultBranch = originHead?.replace(/^origin\//, "") ?? (await git(deps, dir, ["symbolic-ref", "--short", "HEAD"]));

  const wfDir = join(dir, ".github", "workflows");
  const workflows = existsSync(wfDir)
    ? readdirSync(wfDir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => ({ path: `.github/workflows/${f}`, text: readFileSync(join(wfDir, f), "utf8") }))
    : [];

  const renovateConfigs = findRenovateConfigs(
    RENOVATE_CONFIG_FILES.filter((f) => read(dir, f) !== undefined),
    (f) => read(dir, f),
  );

  return {
    dir,
    goMod: goMod?.modulePath ? { modulePath: goMod.modulePath, goVersion: goMod.goVersion, toolchain: goMod.toolchain } : undefined,
    dockerfiles: findDockerfiles(dir),
    remote,
    defaultBranch,
    workflows,
    renovateConfigs,
    dependabotConfig: [".github/dependabot.yml", ".github/dependabot.yaml"].find((f) => read(dir, f) !== undefined),
    trivyignore: [".trivyignore", ".trivyignore.yaml"].find((f) => read(dir, f) !== undefined),
    visibility: detectVisibility((rel) => read(dir, rel)),
    stateFile: read(dir, ".github/relay-security.json") === undefined ? undefined : ".github/relay-security.json",
  };
}
