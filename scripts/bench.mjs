#!/usr/bin/env node
// Speed and memory of the CLI on the bundled example, measured as a user runs it (a fresh Node process
// each time). Prints a Markdown table for the README. Run: npm run build && node scripts/bench.mjs [runs]
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { exampleRepo, ROOT as root } from "./example-repo.mjs";

const cli = join(root, "dist", "cli.js");
const runs = Number(process.argv[2] ?? 5);

const freshRepo = () => exampleRepo("relay-bench-").dir;

/** Wall time (ms) and peak RSS (MiB) of one CLI run, from GNU time. */
function measure(args) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", process.execPath, cli, ...args], { encoding: "utf8", env: { ...process.env, CI: "true" } });
  const [secs, kb] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  return { ms: secs * 1000, mib: kb / 1024, code: r.status };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cases = [
  ["`--help`", () => ["--help"]],
  ["`--version`", () => ["--version"]],
  ["set up the example (`--yes`), validation included", (d) => ["--yes", d]],
  ["second run, nothing to do", (d) => (measure(["--yes", d]), ["--yes", d])],
  ["`--dry-run` with diffs", (d) => ["--yes", "--dry-run", d]],
  ["`check` on a clean repo", (d) => (measure(["--yes", d]), ["check", d])],
];

console.log(`| run (median of ${runs}) | wall time | peak RSS |\n|---|---|---|`);
for (const [name, argsFor] of cases) {
  const ms = [];
  const mib = [];
  for (let i = 0; i < runs; i++) {
    const dir = freshRepo();
    const m = measure(argsFor(dir));
    ms.push(m.ms);
    mib.push(m.mib);
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`| ${name} | ${Math.round(median(ms))} ms | ${median(mib).toFixed(0)} MiB |`);
}
