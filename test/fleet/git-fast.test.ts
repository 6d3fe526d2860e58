import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execProgram, type Deps } from "../../src/deps.js";
import { fastGitDeps } from "../../src/fleet/git-fast.js";
import { git, makeRepo } from "../support/repo.js";

const real = { exec: execProgram } as unknown as Deps;
const QUESTIONS = [["rev-parse", "--show-toplevel"], ["remote", "get-url", "origin"], ["symbolic-ref", "--short", "refs/remotes/origin/HEAD"], ["symbolic-ref", "--short", "HEAD"]];

/** What detect would be told, by git itself and by the in-process reader: they must agree. */
async function answers(dir: string) {
  const fast = fastGitDeps({ ...real, exec: () => Promise.reject(new Error("fell back to git")) });
  const out = [];
  for (const q of QUESTIONS) {
    const r = await real.exec("git", ["-C", dir, ...q]);
    let f: { exitCode: number; stdout: string } | "fallback";
    try {
      f = await fast.exec("git", ["-C", dir, ...q]);
    } catch {
      f = "fallback";
    }
    out.push({ q: q.join(" "), git: r.exitCode === 0 ? r.stdout.trim() : "fails", fast: f === "fallback" ? f : f.exitCode === 0 ? f.stdout.trim() : "fails" });
  }
  return out;
}

describe("fleet's in-process answers to detect's git questions", () => {
  it.each([
    ["a plain clone", (d: string) => d],
    ["origin/HEAD set, a detached HEAD", (d: string) => (git(d, "update-ref", "refs/remotes/origin/main", "HEAD"), git(d, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main"), git(d, "checkout", "-q", "--detach"), d)],
    ["a branch with a slash", (d: string) => (git(d, "checkout", "-q", "-b", "feature/x"), d)],
    ["no origin", (d: string) => (git(d, "remote", "remove", "origin"), d)],
    ["a config with CRLF line ends", (d: string) => (writeFileSync(join(d, ".git/config"), readFileSync(join(d, ".git/config"), "utf8").replace(/\n/g, "\r\n")), d)],
  ])("%s: the same as git", async (_n, shape) => {
    const dir = shape(makeRepo("example"));
    for (const a of await answers(dir)) expect(a.fast, a.q).toBe(a.git);
  });

  it("an insteadOf rewrite or an include: asks git", async () => {
    const dir = makeRepo("example");
    git(dir, "config", "url.https://mirror.example/.insteadOf", "git@github.com:");
    const [, origin] = await answers(dir);
    expect(origin).toMatchObject({ fast: "fallback" });
  });
});
