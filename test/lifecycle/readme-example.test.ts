import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fixture, Runner } from "../support/lifecycle.js";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));

/** The issue body the README shows: the rendered `issues` step on the Trivy fixture, with the job's metadata. */
function exampleBody(): string {
  const r = new Runner();
  try {
    r.writeResult("trivy-image", "findings", fixture("trivy-image-findings.json"));
    r.writeMeta("trivy-image", { commit: "4f2c9e1d7b3a5c8e0f1a2b3c4d5e6f708192a3b4", scanned_at: "2025-08-02T03:18:05Z", db_updated_at: "2025-08-01T18:04:11Z" });
    const run = r.issues({ TARGETS: "trivy-image" });
    if (run.status !== 0) throw new Error(run.stdout + run.stderr);
    return r.gh.issue(1).body;
  } finally {
    r.cleanup();
  }
}

describe("README", () => {
  it("shows the issue body the rescan files, exactly as the rendered script writes it", () => {
    const readme = readFileSync(README, "utf8");
    const block = /<!-- issue-example -->\n```markdown\n([^]*?)```\n/.exec(readme)?.[1];
    expect(block, "README.md has an <!-- issue-example --> block").toBeDefined();
    expect(block).toBe(exampleBody());
  });
});
