import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const FIXTURE_REPOS = join(ROOT, "test", "fixtures", "repos");

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
export const git = (dir: string, ...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", env: gitEnv });

/**
 * A fixture repository (a folder under test/fixtures/repos, or examples/hello-service) copied to a temp
 * dir with a real `git init`, an origin remote and one commit, as a user's clone would be.
 */
export function makeRepo(source: string, opts: { remote?: string | null; files?: Record<string, string> } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "relay-test-"));
  const from = source.startsWith("/") ? source : source === "example" ? join(ROOT, "examples", "hello-service") : join(FIXTURE_REPOS, source);
  cpSync(from, dir, { recursive: true });
  for (const [rel, text] of Object.entries(opts.files ?? {})) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  git(dir, "init", "-q", "-b", "main");
  if (opts.remote !== null) git(dir, "remote", "add", "origin", opts.remote ?? "git@github.com:Acme/Hello-Service.git");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "fixture");
  return dir;
}

/** Every file under dir (except .git) with its bytes, to prove a run wrote nothing or exactly what it said. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      if (name === ".git") continue;
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(join(dir, r)).isDirectory()) walk(r);
      else out.set(r, readFileSync(join(dir, r), "utf8"));
    }
  };
  walk("");
  return out;
}
