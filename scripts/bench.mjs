#!/usr/bin/env node
// The speed table of issue 19: each row as ours / anchor / ratio, from paired runs. Every pair runs the
// two commands back to back, in alternating order, on fresh inputs, so a machine loaded by other work
// slows both sides of a pair alike; the ratio is taken per pair and reported as its median [min-max].
// Each run is a new process measured by GNU time (CPU = user + sys, peak RSS), as a user runs it.
//
// The anchors are installed, pinned, into .bench/ (git-ignored): create-vite from npm, copier from PyPI in
// a venv. The copier template is made from our own output on the example service, so both write the same
// files. Run: npm run bench [-- PAIRS]   (default 5 pairs; 2 proves it works)
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { longWorkflowRepo } from "./bench-workflow.mjs";
import { exampleRepo, ROOT } from "./example-repo.mjs";
import { fleetFixtures } from "./fleet-fixtures.mjs";

const PAIRS = Number(process.argv[2] ?? 5);
const CREATE_VITE = "9.3.0";
const COPIER = "9.19.1";
const BENCH = join(ROOT, ".bench");
/** What "no tools" leaves out: every program a set-up would run to check its work. */
const TOOLS = ["actionlint", "shellcheck", "trivy", "grype", "govulncheck", "zizmor"];
const cli = join(ROOT, "dist", "cli.js");
const node = process.execPath;

// ---- anchors ---------------------------------------------------------------------------------------

function installAnchors() {
  mkdirSync(BENCH, { recursive: true });
  const vite = join(BENCH, "npm", "node_modules", "create-vite");
  if (JSON.parse(readIf(join(vite, "package.json")) ?? "{}").version !== CREATE_VITE) {
    run("npm", ["install", "--prefix", join(BENCH, "npm"), "--no-audit", "--no-fund", `create-vite@${CREATE_VITE}`]);
  }
  const copier = join(BENCH, "venv", "bin", "copier");
  // A venv moved or copied from elsewhere keeps the old interpreter path in its scripts: ask it to run.
  const works = () => spawnSync(copier, ["--version"], { stdio: "ignore" }).status === 0;
  if (!(readIf(join(BENCH, "venv", "copier-version")) === COPIER && existsSync(copier) && works())) {
    rmSync(join(BENCH, "venv"), { recursive: true, force: true });
    run("python3", ["-m", "venv", join(BENCH, "venv")]);
    run(join(BENCH, "venv", "bin", "pip"), ["install", "-q", `copier==${COPIER}`]);
    writeFileSync(join(BENCH, "venv", "copier-version"), COPIER);
  }
  // No tools on PATH: the caller's PATH mirrored into one folder of links, less the tools we would run
  // (dropping the folders that hold a tool is not enough: shellcheck lives in /usr/bin beside git and
  // the commands copier's git needs). Both sides are started by absolute path.
  const nobin = join(BENCH, "nobin");
  rmSync(nobin, { recursive: true, force: true });
  mkdirSync(nobin, { recursive: true });
  for (const d of (process.env.PATH ?? "").split(":").filter(Boolean)) {
    for (const name of existsSync(d) ? readdirSync(d) : []) {
      if (TOOLS.includes(name) || existsSync(join(nobin, name))) continue;
      symlinkSync(join(d, name), join(nobin, name));
    }
  }
  const viteBin = JSON.parse(readFileSync(join(vite, "package.json"), "utf8")).bin;
  return { vite: join(vite, typeof viteBin === "string" ? viteBin : Object.values(viteBin)[0]), copier, nobin };
}

/**
 * A copier template that writes what our set-up writes on the example service: each file we own, as we
 * rendered it, with the image name as its one question (the rest is raw text, so `${{ }}` stays as is).
 * A git repository tagged v1.0.0, which `copier update` needs.
 */
function copierTemplate(nobin) {
  const dir = join(BENCH, "copier-template");
  if (existsSync(join(dir, ".git"))) return dir;
  const repo = exampleRepo("relay-bench-tpl-").dir;
  ours(["--yes", repo], nobin);
  const state = JSON.parse(readFileSync(join(repo, ".github", "relay-security.json"), "utf8"));
  const image = state.answers.image;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "copier.yml"), `image:\n  type: str\n  default: "${image}"\n_templates_suffix: .jinja\n`);
  writeFileSync(join(dir, "{{_copier_conf.answers_file}}.jinja"), "{{ _copier_answers|to_nice_yaml }}\n");
  for (const path of Object.keys(state.files)) {
    const text = readFileSync(join(repo, path), "utf8");
    const out = join(dir, `${path}.jinja`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `{% raw %}${text.split(image).join("{% endraw %}{{ image }}{% raw %}")}{% endraw %}`);
  }
  rmSync(repo, { recursive: true, force: true });
  gitIn(dir, "init", "-q", "-b", "main");
  gitIn(dir, "add", "-A");
  gitIn(dir, "commit", "-q", "-m", "template");
  gitIn(dir, "tag", "v1.0.0");
  return dir;
}

// ---- measuring -------------------------------------------------------------------------------------

/** One process: wall seconds, CPU seconds (user + sys, children included), peak RSS in MiB. */
function measure(cmd, args, opts = {}) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", cmd, ...args], { encoding: "utf8", cwd: opts.cwd, env: { ...process.env, CI: "true", ...opts.env } });
  const last = r.stderr.trim().split("\n").at(-1) ?? "";
  const [wall, user, sys, kb] = last.split(" ").map(Number);
  if (![wall, user, sys, kb].every(Number.isFinite)) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr.slice(-500)}`);
  if (opts.expect !== undefined && !opts.expect.includes(r.status)) throw new Error(`${cmd} ${args.slice(0, 3).join(" ")}: exit ${r.status}\n${r.stdout.slice(-800)}${r.stderr.slice(-800)}`);
  return { wall, cpu: user + sys, mib: kb / 1024 };
}

const ours = (args, nobin, expect = [0]) => measure(node, [cli, ...args], { env: nobin ? { PATH: nobin } : {}, expect });

/**
 * `PAIRS` pairs of (ours, anchor); each side is `() => measurement` and prepares its own fresh inputs
 * (not timed). Order alternates so neither side always runs on a warmer cache.
 */
function paired(oursRun, anchorRun) {
  const a = [];
  const b = [];
  for (let i = 0; i < PAIRS; i++) {
    if (i % 2 === 0) {
      a.push(oursRun());
      b.push(anchorRun());
    } else {
      b.push(anchorRun());
      a.push(oursRun());
    }
  }
  return { ours: a, anchor: b };
}

const sorted = (xs) => [...xs].sort((x, y) => x - y);
const median = (xs) => {
  const s = sorted(xs);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const spread = (xs, f) => `${f(median(xs))} [${f(Math.min(...xs))}-${f(Math.max(...xs))}]`;
const ratios = (p, key) => p.ours.map((o, i) => o[key] / p.anchor[i][key]);
const ms = (s) => `${Math.round(s * 1000)} ms`;
const sec = (s) => `${s.toFixed(2)} s`;
const mib = (m) => `${Math.round(m)} MiB`;
const x = (r) => `${r.toFixed(2)}x`;
const col = (runs, key, f) => spread(runs.map((r) => r[key]), f);

const rows = [];
const row = (name, oursText, anchorText, ratioText) => {
  rows.push(`| ${name} | ${oursText} | ${anchorText} | ${ratioText} |`);
  console.error(`done: ${name}`);
};

// ---- the rows --------------------------------------------------------------------------------------

const { vite, copier, nobin } = installAnchors();
const template = copierTemplate(nobin);
const load = [loadavg()[0]];
const temps = [];
const fresh = (make) => {
  const d = make();
  temps.push(d);
  return d;
};

{
  const node0 = paired(() => ours(["--help"]), () => measure(node, ["-e", "0"]));
  row("`--help` (wall)", col(node0.ours, "wall", ms), `\`node -e 0\` ${col(node0.anchor, "wall", ms)}`, spread(ratios(node0, "wall"), x));
  const cv = paired(() => ours(["--help"]), () => measure(node, [vite, "--help"], { expect: [0] }));
  row("`--help` (wall)", col(cv.ours, "wall", ms), `create-vite ${CREATE_VITE} --help ${col(cv.anchor, "wall", ms)}`, spread(ratios(cv, "wall"), x));
}

{
  const copierCopy = () => {
    const dest = fresh(() => mkdtempSync(join(tmpdir(), "relay-bench-copier-")));
    return measure(copier, ["copy", "--defaults", "--quiet", "--vcs-ref", "v1.0.0", template, dest], { env: { PATH: nobin }, expect: [0] });
  };
  const p = paired(() => ours(["--yes", fresh(() => exampleRepo("relay-bench-").dir)], nobin), copierCopy);
  row("set-up, no tools on PATH (CPU)", col(p.ours, "cpu", sec), `copier ${COPIER} copy ${col(p.anchor, "cpu", sec)}`, spread(ratios(p, "cpu"), x));
  row("set-up, no tools on PATH (peak RSS)", col(p.ours, "mib", mib), `copier copy ${col(p.anchor, "mib", mib)}`, spread(ratios(p, "mib"), x));
}

{
  // Real tools on PATH: how much of a set-up is our own work, and whether the tools overlap. Each tool
  // runs through a shim that times it (toolShims); a tool started by a timed tool (actionlint's
  // shellcheck) is part of that tool's time. Ours alone = the whole run's CPU - the tools' - the shims'.
  const tools = toolShims();
  if (tools.missing.length > 0) {
    row("set-up, real tools on PATH", `not measured: ${tools.missing.join(", ")} not found (npm run tools)`, "", "");
  } else {
    const runs = [];
    for (let i = 0; i < PAIRS; i++) {
      const log = join(tools.dir, `times-${i}`);
      const m = measure(node, [cli, "--yes", fresh(() => exampleRepo("relay-bench-tools-").dir)], { env: { PATH: tools.path, RELAY_BENCH_TOOL_LOG: log }, expect: [0] });
      const timed = toolTimes(log);
      const toolCpu = timed.reduce((sum, t) => sum + t.cpu, 0);
      const shims = timed.reduce((sum, t) => sum + t.shim, 0);
      const toolWall = timed.reduce((sum, t) => sum + t.wall, 0);
      const own = m.cpu - toolCpu - shims;
      runs.push({ own, toolCpu, share: own / (m.cpu - shims), wall: m.wall, toolWall, overlap: m.wall / toolWall, spawned: timed.length });
    }
    const pct = (r) => `${Math.round(r * 100)}%`;
    row(`set-up, real tools on PATH (CPU; ${runs[0].spawned} tool runs: ${tools.names.join(", ")})`, `ours alone ${col(runs, "own", sec)}`, `the tools' ${col(runs, "toolCpu", sec)}`, `ours ${spread(runs.map((r) => r.share), pct)} of the run`);
    row("set-up, real tools on PATH (wall)", `the run ${col(runs, "wall", sec)}`, `the tools one after another ${col(runs, "toolWall", sec)}`, spread(runs.map((r) => r.overlap), x));
  }
}

{
  // Both re-run on an up-to-date repository: what an upgrade costs when the release changed nothing here.
  const setUp = fresh(() => exampleRepo("relay-bench-up-").dir);
  ours(["--yes", setUp], nobin);
  gitIn(setUp, "add", "-A");
  gitIn(setUp, "commit", "-q", "-m", "relay-security");
  const dest = fresh(() => mkdtempSync(join(tmpdir(), "relay-bench-copier-up-")));
  measure(copier, ["copy", "--defaults", "--quiet", "--vcs-ref", "v1.0.0", template, dest], { env: { PATH: nobin }, expect: [0] });
  gitIn(dest, "init", "-q", "-b", "main");
  gitIn(dest, "add", "-A");
  gitIn(dest, "commit", "-q", "-m", "copier");
  const p = paired(() => ours(["--yes", setUp], nobin), () => measure(copier, ["update", "--defaults", "--quiet", "--vcs-ref", "v1.0.0"], { cwd: dest, env: { PATH: nobin }, expect: [0] }));
  row("upgrade, no tools (CPU)", col(p.ours, "cpu", sec), `copier update ${col(p.anchor, "cpu", sec)}`, spread(ratios(p, "cpu"), x));
}

{
  // Ours: every clone in one process (`fleet --local`: the state, no validators; `check DIR...`: the full
  // check, validators included). Copier: `check-update`, one process per repository as it runs.
  const { root, repos } = fleetFixtures(200);
  temps.push(root);
  const dirs = repos.map((r) => r.dir);
  const current = repos.filter((r) => r.state === "current").map((r) => r.dir).slice(0, 20);
  const copierDests = [];
  for (let i = 0; i < 5; i++) {
    const dest = fresh(() => mkdtempSync(join(tmpdir(), "relay-bench-copier-chk-")));
    measure(copier, ["copy", "--defaults", "--quiet", "--vcs-ref", "v1.0.0", template, dest], { env: { PATH: nobin }, expect: [0] });
    copierDests.push(dest);
  }
  const perRepo = (m, n) => ({ ...m, rate: n / m.wall, cpuRate: n / m.cpu });
  const copierCheck = () => {
    const each = copierDests.map((d) => measure(copier, ["check-update", "--quiet"], { cwd: d, env: { PATH: nobin }, expect: [0, 1, 2] }));
    return perRepo({ wall: each.reduce((s, m) => s + m.wall, 0), cpu: each.reduce((s, m) => s + m.cpu, 0), mib: Math.max(...each.map((m) => m.mib)) }, each.length);
  };
  const fleet = paired(() => perRepo(ours(["fleet", "--local", "--json", ...dirs], undefined, [0, 1]), dirs.length), copierCheck);
  const rate = (r) => `${r.toFixed(1)}/s`;
  row("`fleet --local` over 200 clones (repos/s, wall)", col(fleet.ours, "rate", rate), `copier check-update ${col(fleet.anchor, "rate", rate)}`, spread(ratios(fleet, "rate"), x));
  row("`fleet --local` over 200 clones (repos per CPU-second)", col(fleet.ours, "cpuRate", rate), `copier check-update ${col(fleet.anchor, "cpuRate", rate)}`, spread(ratios(fleet, "cpuRate"), x));
  const many = paired(() => perRepo(ours(["check", "-q", ...current], nobin, [0, 1]), current.length), copierCheck);
  row(`\`check DIR...\` over ${current.length} clones, validators included, no tools (repos/s, wall)`, col(many.ours, "rate", rate), `copier check-update ${col(many.anchor, "rate", rate)}`, spread(ratios(many, "rate"), x));
  row(`\`check DIR...\` over ${current.length} clones, validators included, no tools (repos per CPU-second)`, col(many.ours, "cpuRate", rate), `copier check-update ${col(many.anchor, "cpuRate", rate)}`, spread(ratios(many, "cpuRate"), x));
}

{
  // Linear: 5,000 steps against 5 x 1,000 (fixed costs make the ratio below 1 when it is linear).
  const long = (n) => () => ours(["--yes", fresh(() => longWorkflowRepo(n).dir)], nobin);
  const p = paired(long(5000), long(1000));
  row("set-up on a 5,000-step ci.yml, no tools (CPU)", col(p.ours, "cpu", sec), `1,000 steps ${col(p.anchor, "cpu", sec)}`, `${spread(ratios(p, "cpu"), x)} (linear: <= 5x)`);
  row("set-up on a 5,000-step ci.yml, no tools (peak RSS)", col(p.ours, "mib", mib), `1,000 steps ${col(p.anchor, "mib", mib)}`, spread(ratios(p, "mib"), x));
}

{
  // Installed: our packed tarball with its production dependencies, against create-vite's whole tree.
  const packDir = fresh(() => mkdtempSync(join(tmpdir(), "relay-bench-pack-")));
  const tgz = execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], { cwd: ROOT, encoding: "utf8" }).trim().split("\n").at(-1);
  const prefix = join(packDir, "installed");
  execFileSync("npm", ["install", "--prefix", prefix, "--omit=dev", "--no-audit", "--no-fund", join(packDir, tgz)], { stdio: "ignore" });
  const a = treeSize(join(prefix, "node_modules"));
  const b = treeSize(join(BENCH, "npm", "node_modules"));
  const size = (t) => `${(t.bytes / 1e6).toFixed(1)} MB, ${t.files} files`;
  row("installed, production deps (one measurement)", size(a), `create-vite ${CREATE_VITE} ${size(b)}`, `${x(a.bytes / b.bytes)} bytes, ${x(a.files / b.files)} files`);
}

load.push(loadavg()[0]);
for (const d of temps) rmSync(d, { recursive: true, force: true });
console.log(`Paired runs: ${PAIRS} per row; median [min-max]; load average ${load.map((l) => l.toFixed(1)).join(" -> ")} on ${readIf("/proc/cpuinfo")?.match(/^processor/gm)?.length ?? "?"} cores.\n`);
console.log("| row | ours | anchor | ours / anchor |\n|---|---|---|---|");
for (const r of rows) console.log(r);

// ---- helpers ---------------------------------------------------------------------------------------

/**
 * A folder of timing shims for the tools a set-up runs, found on .tools/bin (npm run tools) or PATH. Each
 * shim is a bash script that runs its tool as a child and then writes bash's `times` to a file of its
 * own: the tool's CPU to the millisecond (GNU time truncates to 10 ms, which over a dozen short runs
 * moved 0.1 s from the tools to us) and the shim's own, so neither is counted as ours.
 */
function toolShims() {
  const dir = join(BENCH, "tool-shims");
  const path = [join(ROOT, ".tools", "bin"), ...(process.env.PATH ?? "").split(":")].filter(Boolean);
  const names = ["actionlint", "shellcheck", "trivy"];
  const real = Object.fromEntries(names.map((t) => [t, path.map((d) => join(d, t)).find((f) => existsSync(f))]));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [t, file] of Object.entries(real)) {
    if (!file) continue;
    const shim = [
      "#!/bin/bash",
      // A tool started by a timed tool (actionlint's shellcheck) is part of that tool's time.
      `if [ -n "$RELAY_BENCH_IN_TOOL" ]; then exec '${file}' "$@"; fi`,
      "export RELAY_BENCH_IN_TOOL=1",
      "start=$EPOCHREALTIME",
      `'${file}' "$@"`,
      "rc=$?",
      'out="$RELAY_BENCH_TOOL_LOG.$$"',
      'echo "$start $EPOCHREALTIME" > "$out"',
      'times >> "$out"',
      "exit $rc",
      "",
    ].join("\n");
    writeFileSync(join(dir, t), shim, { mode: 0o755 });
  }
  return { dir, names, missing: names.filter((t) => !real[t]), path: [dir, ...path].join(":") };
}

/** What the shims wrote for one run (`<log>.<pid>` files): each tool run's wall, its CPU and the shim's own. */
function toolTimes(log) {
  const seconds = (t) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    if (!m) throw new Error(`tool shim: cannot read the time ${JSON.stringify(t)}`);
    return Number(m[1]) * 60 + Number(m[2]);
  };
  const dir = dirname(log);
  return readdirSync(dir).filter((f) => f.startsWith(`${basename(log)}.`)).map((f) => {
    const [span, self, children] = readFileSync(join(dir, f), "utf8").trim().split("\n");
    const [start, end] = span.split(" ").map(Number);
    const cpu = (line) => line.split(" ").map(seconds).reduce((a, b) => a + b, 0);
    return { wall: end - start, cpu: cpu(children), shim: cpu(self) };
  });
}

function run(cmd, args) {
  execFileSync(cmd, args, { stdio: ["ignore", "ignore", "inherit"] });
}
function readIf(path) {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}
function gitIn(dir, ...args) {
  return execFileSync("git", ["-C", dir, "-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args], { encoding: "utf8" });
}
function treeSize(dir) {
  let bytes = 0;
  let files = 0;
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else {
        bytes += st.size;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, files };
}
