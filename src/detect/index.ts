import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Deps } from "../deps.js";
import { UserError } from "../errors.js";
import { listRepoDir, readRepoText } from "../fsguard.js";
import { findRenovateConfigs, RENOVATE_CONFIG_FILES } from "../renovate/locate.js";
import type { Detected, DockerfileInfo } from "../types.js";
import { parseDockerfile } from "./dockerfile.js";
import { parseGoMod } from "./gomod.js";
import { parseRemote } from "./remote.js";

const SKIP_DIRS = new Set([".git", "node_modules", "vendor", "testdata", "third_party", ".tools", "dist"]);

// Through the guard: inside the root, a regular file, UTF-8 (issue 11); a directory there is an error.
const read = (dir: string, rel: string) => readRepoText(dir, rel);

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
    .flatMap((p) => {
      // Only candidates: one we cannot read as text is not offered (naming it with --dockerfile says why).
      try {
        return [parseDockerfile(p, readRepoText(dir, p) ?? "")];
      } catch (error) {
        if (error instanceof UserError) return [];
        throw error;
      }
    });
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

  const workflows = listRepoDir(dir, ".github/workflows")
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ path: `.github/workflows/${f}`, text: read(dir, `.github/workflows/${f}`) ?? "" }));

  const renovateConfigs = findRenovateConfigs(
    RENOVATE_CONFIG_FILES.filter((f) => read(dir, f) !== undefined),
    (f) => read(dir, f),
  );

  return {
    dir,
    ...(gitTop ? { gitTop } : {}),
    goMod: goMod?.modulePath ? { modulePath: goMod.modulePath, goVersion: goMod.goVersion, toolchain: goMod.toolchain } : undefined,
    dockerfiles: findDockerfiles(dir),
    remote,
    defaultBranch,
    workflows,
    renovateConfigs,
    dependabotConfig: [".github/dependabot.yml", ".github/dependabot.yaml"].find((f) => read(dir, f) !== undefined),
    trivyignore: [".trivyignore", ".trivyignore.yaml"].find((f) => read(dir, f) !== undefined),
    stateFile: read(dir, ".github/relay-security.json") === undefined ? undefined : ".github/relay-security.json",
  };
}
