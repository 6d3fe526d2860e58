#!/usr/bin/env node
// Speed and memory of the CLI on the bundled example (and of `fleet --local` on 200 clones), measured as a user runs it (a fresh Node process
// each time). Prints a Markdown table for the README. Run: npm run build && node scripts/bench.mjs [runs] [fleet]
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

// `node scripts/bench.mjs 3 fleet`: the fleet rows alone.
const only = process.argv[3];
console.log(`| run (median of ${runs}) | wall time | peak RSS |\n|---|---|---|`);
for (const [name, argsFor] of only === "fleet" ? [] : cases) {
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

// `fleet --local` over 200 fixture clones (40 in each state): as the CLI runs it (one Node process for
// all of them), and the per-repository check alone, called in-process after a warm-up (what another
// tool embedding it, or a long-running process, gets).
{
  const { fleetFixtures } = await import("./fleet-fixtures.mjs");
  const { root: fixturesRoot, repos } = fleetFixtures(200);
  const dirs = repos.map((r) => r.dir);
  const cliMs = [];
  const cliMib = [];
  for (let i = 0; i < runs; i++) {
    const m = measure(["fleet", "--local", "--json", ...dirs]);
    cliMs.push(m.ms);
    cliMib.push(m.mib);
  }
  const { checkLocal } = await import(join(root, "dist", "fleet", "local.js"));
  const quiet = { exec: (await import(join(root, "dist", "deps.js"))).execProgram, env: {}, now: () => new Date(), out: () => {}, err: () => {}, prompts: undefined };
  await checkLocal(dirs.slice(0, 20), quiet, { progress: false });
  const inMs = [];
  const cpuMs = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const cpu = process.cpuUsage();
    await checkLocal(dirs, quiet, { progress: false });
    inMs.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
  }
  const c = median(cliMs);
  const p = median(inMs);
  console.log(`| \`fleet --local\` over 200 clones (one process, Node start included) | ${Math.round(c)} ms (${Math.round((200 * 1000) / c)} repos/s) | ${median(cliMib).toFixed(0)} MiB |`);
  const cpu = median(cpuMs);
  console.log(`| the same check in-process, warm (no Node start) | ${Math.round(p)} ms (${Math.round((200 * 1000) / p)} repos/s; CPU ${Math.round(cpu)} ms, ${Math.round((200 * 1000) / cpu)} repos per CPU-second) | |`);
  rmSync(fixturesRoot, { recursive: true, force: true });
}

