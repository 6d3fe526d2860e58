import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Runner } from "../support/lifecycle.js";
import { lifecycleScripts } from "../support/scripts.js";

// The scanner jobs' "Record what was scanned" step: what the issue body needs that the reports leave out.
describe("scan-meta.sh", () => {
  let r: Runner;
  beforeEach(() => {
    r = new Runner();
  });
  afterEach(() => r.cleanup());
  const meta = () => JSON.parse(readFileSync(join(r.cwd, "out", "meta.json"), "utf8")) as Record<string, unknown>;

  it("the checked-out commit, the time, and the database date from trivy-action's cache metadata", () => {
    const env = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e", PATH: process.env.PATH };
    execFileSync("git", ["init", "-q"], { cwd: r.cwd, env });
    execFileSync("git", ["commit", "-q", "--allow-empty", "-m", "x"], { cwd: r.cwd, env });
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: r.cwd, encoding: "utf8" }).trim();
    mkdirSync(join(r.cwd, ".cache/trivy/db"), { recursive: true });
    writeFileSync(join(r.cwd, ".cache/trivy/db/metadata.json"), JSON.stringify({ Version: 2, UpdatedAt: "2025-08-01T18:04:11.123Z", NextUpdate: "2025-08-02T18:04:11Z" }));
    const run = r.run(lifecycleScripts().scanMeta, { OUT_DIR: "out", DB_METADATA: ".cache/trivy/db/metadata.json" });
    expect(run.status).toBe(0);
    expect(meta()).toEqual({ commit: head, scanned_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), db_updated_at: "2025-08-01T18:04:11.123Z" });
  });

  it("no git checkout and no database metadata: nulls, not a failure", () => {
    const run = r.run(lifecycleScripts().scanMeta, { OUT_DIR: "out", DB_METADATA: "missing.json", GIT_CEILING_DIRECTORIES: r.root });
    expect(run.status).toBe(0);
    expect(meta()).toMatchObject({ commit: null, db_updated_at: null });
  });
});
