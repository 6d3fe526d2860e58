import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./repo.js";

export const CLI = join(ROOT, "dist", "cli.js");

/** Run the built CLI as a process, with no TTY and CI set unless the test says otherwise. */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {}) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, CI: "true", NO_COLOR: "1", ...opts.env },
    input: opts.input ?? "",
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started, signal: r.signal };
}
