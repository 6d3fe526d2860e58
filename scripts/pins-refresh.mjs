#!/usr/bin/env node
// Refresh the action pins in data/pins.json from the actions' git tags (issue 7).
//
//   npm run pins:refresh              # rewrite data/pins.json
//   npm run pins:refresh -- --check   # dry run: print what would change, exit 1 if anything is stale
//   options: --file PATH (default data/pins.json), --date YYYY-MM-DD (default: today, UTC)
//   env: PINS_GIT_BASE (default https://github.com): where OWNER/REPO live; the tests use local bare repos.
//        PINS_GO (default go): the go command that lists scanner versions from the Go module proxy.
//
// Scanner and linter versions (tools.* with a `module`) come from the Go module proxy: `go list -m
// -versions <module>` (the module a `go install` of that command resolves, so what the proxy serves is
// what Go's checksum database verifies). The newest stable vX.Y.Z wins unless knownCompromised lists it;
// scripts/tools.sh next to data/ gets the same versions (its check_pin refuses a disagreement).
//
// For each action: `git ls-remote --tags BASE/OWNER/REPO`; an annotated tag's `^{}` line gives the commit
// it points to, and that commit is what we pin, never the tag object (PRODUCT.md, "Facts learned the hard
// way"). The newest stable vX.Y.Z (no pre-release) in the pin's own prefix style wins, unless
// knownCompromised refuses it. The pinned tag itself pointing to another commit than our pin means the
// tag was moved (the March 2026 trivy-action attack): that action is not touched and the run fails.
// Exit codes: 0 done or up to date, 1 stale (--check) or a moved/refused pin needs a person, 2 bad usage
// or a git failure.
// Tag parsing and the knownCompromised rules live in src/pin/ (shared with `relay-security pin`); this
// script runs them from the build (`npm run pins:refresh` builds first).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { refusal } from "../dist/pin/compromised.js";
import { compareParts, parseLsRemote as parseRefs, parseRelease } from "../dist/pin/tags.js";

const TRIVY_ACTION = "aquasecurity/trivy-action";

/** `git ls-remote --tags` output -> Map(tag -> commit sha), annotated tags peeled through their `^{}` line. */
export const parseLsRemote = (output) => parseRefs(output).tags;

const version = parseRelease;
const compare = (a, b) => compareParts(a.parts, b.parts);

export { refusal };

/** What to do with one action: { tag, sha } to pin, plus notes; `problem` when a person must look. */
export function decide(name, pin, tags, known) {
  const repo = name.split("/").slice(0, 2).join("/");
  const current = version(pin.tag);
  const now = tags.get(pin.tag);
  if (now && now !== pin.sha) {
    return { problem: `${name}: tag ${pin.tag} now points to ${now}, not to the pinned ${pin.sha}: the tag was moved; check upstream before changing this pin` };
  }
  // Keep the pin's prefix style; trivy-action only ever moves to v-prefixed tags (PRODUCT.md facts).
  const style = repo === TRIVY_ACTION ? "v" : current?.prefix;
  const refused = [];
  let best;
  for (const [tag, sha] of tags) {
    const v = version(tag);
    if (!v || (style !== undefined && v.prefix !== style)) continue;
    const why = refusal(known, repo, tag, sha);
    if (why) {
      if (!current || compare(v, current) > 0) refused.push(`${tag} (${why})`); // older ones are no news
      continue;
    }
    if (!best || compare(v, best.v) > 0) best = { tag, sha, v };
  }
  if (!best) return { problem: `${name}: no stable tag found${refused.length ? `; refused ${refused.join(", ")}` : ""}` };
  if (current && compare(best.v, current) < 0) return { tag: pin.tag, sha: pin.sha, notes: [`${name}: newest stable tag ${best.tag} is older than the pinned ${pin.tag}; kept`] };
  const major = current && best.v.parts[0] !== current.parts[0] ? " (new major: read its release notes)" : "";
  return { tag: best.tag, sha: best.sha, notes: refused.length ? [`${name}: refused ${refused.join(", ")}`] : [], major };
}

/** `github.com/anchore/grype/cmd/grype` -> `github.com/anchore/grype`: the module that holds a command. */
export const moduleRoot = (module) => module.replace(/\/cmd\/[^/]+$/, "");

/** The newest stable version in `go list -m -versions` output, unless refused; undefined when none. */
export function newestModuleVersion(output, refused = []) {
  const versions = output.trim().split(/\s+/).slice(1).filter((v) => parseRelease(v) !== undefined && v.startsWith("v") && !refused.includes(v));
  return versions.map((v) => ({ tag: v, v: version(v) })).sort((a, b) => compare(b.v, a.v))[0]?.tag;
}

function goListVersions(module) {
  return execFileSync(process.env.PINS_GO || "go", ["list", "-m", "-versions", module], {
    encoding: "utf8",
    timeout: 120_000,
    cwd: dirname(new URL(import.meta.url).pathname), // outside any module's go.mod requirements
    env: { ...process.env, GOFLAGS: "-mod=mod", GOWORK: "off" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** scripts/tools.sh pins the tools the test suite builds (`NAME_VERSION=vX.Y.Z`); keep it equal to pins.tools. */
function refreshToolsSh(file, tools) {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const out = text.replace(/^([A-Z]+)_VERSION=(v\d+\.\d+\.\d+)$/gm, (line, name, v) => {
    const want = tools[name.toLowerCase()]?.version;
    return want && want !== v ? `${name}_VERSION=${want}` : line;
  });
  if (out === text) return [];
  writeFileSync(file, out);
  return [file];
}

function lsRemote(base, repo) {
  return execFileSync("git", ["ls-remote", "--tags", `${base.replace(/\/+$/, "")}/${repo}`], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function main(argv) {
  const args = { check: false, file: "data/pins.json", date: new Date().toISOString().slice(0, 10) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--check") args.check = true;
    else if (a === "--file" || a === "--date") args[a.slice(2)] = argv[++i];
    else return usage(`unknown argument ${a}`);
  }
  if (!args.file || !/^\d{4}-\d{2}-\d{2}$/.test(args.date ?? "")) return usage("--file needs a path, --date YYYY-MM-DD");
  const base = process.env.PINS_GIT_BASE || "https://github.com";
  const text = readFileSync(args.file, "utf8");
  const pins = JSON.parse(text);
  if (typeof pins.actions !== "object" || pins.actions === null) return usage(`${args.file} has no "actions" object`);

  const cache = new Map();
  const changes = [];
  const problems = [];
  for (const [name, pin] of Object.entries(pins.actions)) {
    const repo = name.split("/").slice(0, 2).join("/");
    try {
      if (!cache.has(repo)) cache.set(repo, parseLsRemote(lsRemote(base, repo)));
    } catch (err) {
      console.error(`pins-refresh: git ls-remote ${repo} failed: ${String(err.stderr || err.message).trim()}`);
      return 2;
    }
    const d = decide(name, pin, cache.get(repo), pins.knownCompromised);
    if (d.problem) {
      problems.push(d.problem);
      continue;
    }
    for (const n of d.notes) console.log(`note: ${n}`);
    if (d.tag !== pin.tag || d.sha !== pin.sha) {
      changes.push(`${name}: ${pin.tag} ${pin.sha.slice(0, 12)} -> ${d.tag} ${d.sha.slice(0, 12)}${d.major ?? ""}`);
      pin.tag = d.tag;
      pin.sha = d.sha;
    }
  }
  for (const [name, tool] of Object.entries(pins.tools ?? {})) {
    if (typeof tool?.module !== "string" || typeof tool.version !== "string") continue;
    let listed;
    try {
      listed = goListVersions(moduleRoot(tool.module));
    } catch (err) {
      console.error(`pins-refresh: go list -m -versions ${moduleRoot(tool.module)} failed: ${String(err.stderr || err.message).trim()}`);
      return 2;
    }
    const refused = name === "trivy" ? (pins.knownCompromised?.trivyVersions ?? []) : [];
    const newest = newestModuleVersion(listed, refused);
    if (!newest) {
      problems.push(`${name}: the Go module proxy lists no stable version of ${moduleRoot(tool.module)}`);
      continue;
    }
    if (compare(version(newest), version(tool.version) ?? { parts: [0, 0, 0] }) > 0) {
      changes.push(`${name} (tool): ${tool.version} -> ${newest}`);
      tool.version = newest;
    }
  }
  for (const c of changes) console.log(`${args.check ? "stale" : "updated"}: ${c}`);
  for (const p of problems) console.error(`REFUSED: ${p}`);
  if (args.check) {
    if (!changes.length && !problems.length) console.log(`pins-refresh: ${Object.keys(pins.actions).length} action pins and the tool versions are current`);
    return changes.length || problems.length ? 1 : 0;
  }
  pins._source = `Read from the git tags of each action repository (git ls-remote, \`npm run pins:refresh\`) on ${args.date}; every sha is the commit its tag points to (tag^{commit}), never an annotated tag object; tags listed in knownCompromised are refused. Refresh with \`npm run pins:refresh\`; never edit a sha by hand.`;
  pins._refreshed = args.date;
  const out = `${JSON.stringify(pins, null, 2)}\n`;
  if (out !== text) writeFileSync(args.file, out);
  for (const f of refreshToolsSh(join(dirname(args.file), "..", "scripts", "tools.sh"), pins.tools ?? {})) console.log(`updated: ${f}`);
  console.log(`pins-refresh: ${changes.length} pin(s) updated in ${args.file}${problems.length ? `; ${problems.length} refused` : ""}`);
  return problems.length ? 1 : 0;
}

function usage(message) {
  console.error(`pins-refresh: ${message}\nusage: node scripts/pins-refresh.mjs [--check] [--file data/pins.json] [--date YYYY-MM-DD]`);
  return 2;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.exitCode = main(process.argv.slice(2));
