import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/repo.js";
import { requireTool } from "../support/tools.js";

/**
 * Issue 20.10: the README's first command must be exactly true on a fresh machine with Node 20 and git,
 * without Go: `npm run example` used to build the WebAssembly actionlint first and stop on
 * `build-wasm.sh: error: go is not on PATH`.
 */
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
// git is what the command needs besides Node: under CI a missing git fails this file (requireTool).
const git = requireTool("git");
const noGo = [dirname(process.execPath), ...(git ? [dirname(git)] : []), "/usr/bin", "/bin"].filter((d) => existsSync(d) && !existsSync(join(d, "go"))).join(delimiter);

describe("the README's Try it commands", () => {
  it("say what each needs", () => {
    const tryIt = readme.slice(readme.indexOf("## Try it"), readme.indexOf("## Use"));
    expect(tryIt).toContain("npm ci && npm run example");
    expect(tryIt).toMatch(/`npm run example` needs Node 20 and git/);
    expect(tryIt).toMatch(/`npm run tools` needs .*Go .*python3.*shellcheck/s);
  });

  it.skipIf(!git)("npm run example works with Node and git and no Go on PATH", () => {
    const r = spawnSync("npm", ["run", "example"], { cwd: ROOT, env: { ...process.env, PATH: noGo, CI: "true" }, encoding: "utf8", timeout: 240_000 });
    expect(spawnSync("sh", ["-c", "command -v go"], { env: { PATH: noGo } }).status).not.toBe(0);
    expect(r.stderr).not.toContain("error: go is not on PATH");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("$ create-relay-security --yes");
    expect(r.stdout).toMatch(/Exit 0: /);
  });
});
