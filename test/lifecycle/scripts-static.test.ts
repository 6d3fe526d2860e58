import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { indent } from "../../src/render/engine.js";
import { lifecycleScripts, SCRIPT_STEPS } from "../support/scripts.js";

const TOOLS_BIN = fileURLToPath(new URL("../../.tools/bin/", import.meta.url));
function tool(name: string): string | undefined {
  if (existsSync(join(TOOLS_BIN, name))) return join(TOOLS_BIN, name);
  const which = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return which.status === 0 ? which.stdout.trim() : undefined;
}
const shellcheck = tool("shellcheck");
const actionlint = tool("actionlint");

const scripts = Object.entries(lifecycleScripts()) as [keyof typeof SCRIPT_STEPS, string][];

/** The scripts as `run:` blocks of a minimal workflow, inlined the way the renderer does it. */
function workflowWith(entries: [keyof typeof SCRIPT_STEPS, string][]): string {
  // One job per script, named after it: two scripts come from jobs called `image` (Trivy and Grype variants).
  const jobs = entries.map(([key, text]) => {
    const { step } = SCRIPT_STEPS[key];
    return [`  ${key}:`, "    runs-on: ubuntu-latest", "    steps:", `      - id: ${step}`, "        run: |", indent(text, 10)].join("\n");
  });
  return ["name: scripts", "on: workflow_dispatch", "permissions: {}", "jobs:", ...jobs, ""].join("\n");
}

describe("the run: scripts as text", () => {
  it.each(scripts)("%s: a bash file with our header, errexit first, no `{{`, one newline at the end", (_key, text) => {
    // Run as `bash file`, not as GitHub's `bash -eo pipefail {0}`: the script sets its own options first.
    expect(text.startsWith("#!/usr/bin/env bash\n# Managed by relay-security")).toBe(true);
    expect(text.split("\n").find((l) => l !== "" && !l.startsWith("#"))).toBe("set -euo pipefail");
    expect(text).not.toContain("{{");
    expect(text).not.toContain("\r");
    expect(text).toMatch(/[^\n]\n$/);
  });

  it("survive inlining as YAML literal blocks byte for byte", () => {
    const wf = parse(workflowWith(scripts)) as { jobs: Record<string, { steps: { id: string; run: string }[] }> };
    for (const [key, text] of scripts) {
      const { step } = SCRIPT_STEPS[key];
      expect(wf.jobs[key]!.steps.find((s) => s.id === step)!.run).toBe(text);
    }
  });

  it.skipIf(!shellcheck)("are shellcheck-clean (shellcheck -s bash)", () => {
    const dir = mkdtempSync(join(tmpdir(), "relay-sc-"));
    try {
      const files = scripts.map(([key, text]) => {
        const f = join(dir, SCRIPT_STEPS[key].file);
        writeFileSync(f, text);
        return f;
      });
      const r = spawnSync(shellcheck!, ["-s", "bash", ...files], { encoding: "utf8" });
      expect(r.stdout + r.stderr).toBe("");
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!actionlint)("pass actionlint (which runs shellcheck on run: blocks) inside a workflow", () => {
    const dir = mkdtempSync(join(tmpdir(), "relay-al-"));
    try {
      const f = join(dir, "scripts.yml");
      writeFileSync(f, workflowWith(scripts));
      const r = spawnSync(actionlint!, ["-no-color", f], { encoding: "utf8", env: { ...process.env, PATH: `${TOOLS_BIN}:${process.env.PATH}` } });
      expect(r.stdout + r.stderr).toBe("");
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
