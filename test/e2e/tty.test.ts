import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "../support/cli.js";
import { makeRepo, ROOT, snapshot } from "../support/repo.js";

/** The real clack prompts in a real pseudo-terminal (python's pty), keys sent as a person would. */
function drive(steps: [string, string][], dir: string) {
  const env = { ...process.env, CI: "", FORCE_COLOR: "0" };
  delete (env as Record<string, string | undefined>).CI;
  const r = spawnSync("python3", [join(ROOT, "test/support/pty-drive.py"), JSON.stringify(steps), "--", process.execPath, CLI, dir], { encoding: "utf8", env, timeout: 90_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe("interactive, in a terminal", () => {
  it("Ctrl-C at a prompt: exit 130, nothing written", () => {
    const dir = makeRepo("example");
    const before = snapshot(dir);
    const r = drive([["Image name", "\r"], ["Dockerfile", "\x03"]], dir);
    expect(r.out).toContain("ghcr.io/acme/hello-service");
    expect(r.code).toBe(130);
    expect(snapshot(dir)).toEqual(before);
  });

  it("Enter through every pre-filled answer, confirm, and it writes", () => {
    const dir = makeRepo("example");
    const r = drive(
      [
        ["Image name", "\r"],
        ["Dockerfile", "\r"],
        ["How often", "\r"],
        ["Fail on fixable", "\r"],
        ["keeps the pins fresh", "\r"],
        ["Write these files?", "\r"],
      ],
      dir,
    );
    expect(r.out).toContain("relay-security will write:");
    expect(r.out).toMatch(/└  Done/);
    expect(r.code, r.out).toBe(0);
    expect(existsSync(join(dir, ".github/workflows/security-scan.yml"))).toBe(true);
  });
});
