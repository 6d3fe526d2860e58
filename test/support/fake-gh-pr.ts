import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeExecutable } from "./shell.js";

const FAKE = fileURLToPath(new URL("./fake-gh-pr.mjs", import.meta.url));

export interface FakePr {
  repo: string;
  number: number;
  url: string;
  title: string;
  body: string;
  headRefName: string;
  baseRefName: string;
  state: "OPEN" | "CLOSED" | "MERGED";
  headSha: string;
}

/** The PR fake (test/support/fake-gh-pr.mjs) behind a `gh` shim in `binDir`. */
export class FakeGhPr {
  readonly stateFile: string;
  readonly logFile: string;
  constructor(dir: string, binDir: string) {
    this.stateFile = join(dir, "gh-pr-state.json");
    this.logFile = join(dir, "gh-pr-calls.log");
    writeExecutable(binDir, "gh", `#!/bin/sh\nexec '${process.execPath}' '${FAKE}' "$@"\n`);
  }
  env(): Record<string, string> {
    return { FAKE_GH_STATE: this.stateFile, FAKE_GH_LOG: this.logFile };
  }
  prs(): FakePr[] {
    return existsSync(this.stateFile) ? (JSON.parse(readFileSync(this.stateFile, "utf8")) as { prs: FakePr[] }).prs : [];
  }
  setState(state: object): void {
    writeFileSync(this.stateFile, JSON.stringify({ prs: [], ...state }));
  }
  calls(): string[][] {
    if (!existsSync(this.logFile)) return [];
    return readFileSync(this.logFile, "utf8").split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { argv: string[] }).argv);
  }
}

/**
 * A GitHub-looking origin (https://github.com/OWNER/NAME.git, so gh and detect see a GitHub repository)
 * that git rewrites to a local bare repository (url.<bare>.insteadOf): pushes land there, offline.
 */
export function bareOrigin(dir: string, bare: string, slug: string): void {
  execFileSync("git", ["init", "--bare", "-q", "-b", "main", bare]);
  const url = `https://github.com/${slug}.git`;
  execFileSync("git", ["-C", dir, "remote", "set-url", "origin", url]);
  execFileSync("git", ["-C", dir, "config", `url.${bare}.insteadOf`, url]);
  execFileSync("git", ["-C", dir, "push", "-q", "origin", "main"]);
}
