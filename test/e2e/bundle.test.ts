import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runInit } from "../../src/run.js";
import { CLI } from "../support/cli.js";
import { initOptions, scriptedDeps } from "../support/deps.js";
import { makeRepo, snapshot } from "../support/repo.js";

/**
 * Issue 19: the package runs the esbuild bundle (dist/cli.js, templates precompiled at build time);
 * the other tests mostly run src/ (templates precompiled on first use). Both must write the same bytes.
 */
describe("the bundle and the source write the same files", () => {
  it("a set-up of the example service, file for file", async () => {
    const bundled = makeRepo("example");
    execFileSync(process.execPath, [CLI, "--yes", bundled], { encoding: "utf8", env: { ...process.env, CI: "true" } });
    const source = makeRepo("example");
    await runInit(initOptions(source), scriptedDeps([]).deps);
    const a = snapshot(bundled);
    const b = snapshot(source);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    expect(a.size).toBeGreaterThan(9);
    for (const [path, text] of a) expect(text, path).toBe(b.get(path));
  }, 120_000);
});
