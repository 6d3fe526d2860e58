import { isMap, isScalar, LineCounter, parseDocument, type Node, type YAMLMap } from "yaml";
import { shown } from "../fsguard.js";
import type { Finding } from "../types.js";
import { stepSets } from "./trivy-args.js";

/**
 * Configuration the scanners load by themselves can weaken the gate without a line of the gate
 * changing (issue 13, item 3):
 * - Trivy reads `trivy.yaml` from its working directory, and trivy-action runs it in the workspace,
 *   so a `trivy.yaml` at the repository root applies to the PR gate and to the rescan. trivy-action
 *   exports an input only when it differs from the input's default, so even `vuln-type: os,library`
 *   (the default) leaves `pkg.types` to that file: `pkg.types: [os]` drops the Go binaries from the scan,
 *   `db.skip-update: true` scans with whatever database is cached, `scan.skip-dirs` hides directories.
 * - `.grype.yaml` is Grype's whole configuration (scan-action's `config:`): `exclude`, `db.auto-update`,
 *   `only-fixed`, `fail-on-severity` and the rest change what the gate decides. Ours holds `ignore:` only.
 */

/** trivy.yaml keys that change nothing the gate decides: how long it may take, how much it logs, how it prints. */
const TRIVY_HARMLESS = new Set(["timeout", "debug", "quiet", "no-progress", "format", "template", "output", "list-all-pkgs"]);

/** The flag a config key stands for (Trivy binds `scan.skip-dirs` to `--skip-dirs`); the package types have two names. */
const flagOf = (key: string) => (key === "pkg.types" || key === "vulnerability.type" ? "pkg-types" : (key.split(".").pop() ?? key));

/** Why a few well-known keys matter, for the message; any other key is refused as well. */
const TRIVY_WHY: Record<string, string> = {
  "db.skip-update": "the scan uses whatever vulnerability database is cached, however old",
  "pkg.types": "a list without `library` drops the Go binaries (and the Go standard library in them) from the scan",
  "vulnerability.type": "a list without `library` drops the Go binaries from the scan",
  "scan.skip-dirs": "the files in those directories are not scanned",
  "scan.skip-files": "those files are not scanned",
  severity: "the severities that fail the gate",
  "exit-code": "the exit code that fails the gate",
  "vulnerability.ignore-unfixed": "whether unfixed vulnerabilities count",
  ignorefile: "which accepted risks apply",
  "cache.dir": "which database and results Trivy reads",
  "db.repository": "where the vulnerability database comes from",
};

const GRYPE_WHY: Record<string, string> = {
  exclude: "the paths it names are not scanned",
  db: "`auto-update: false` or another `update-url` changes the database the gate decides with",
  "only-fixed": "whether unfixed vulnerabilities count",
  "fail-on-severity": "the severity that fails the gate",
  "match": "how packages are matched to vulnerabilities",
};

interface Key {
  path: string;
  line: number | undefined;
}

/** Every leaf key of a mapping, dotted (`db.skip-update`), with its line. */
function leafKeys(map: YAMLMap, lc: LineCounter, prefix = ""): Key[] {
  const keys: Key[] = [];
  for (const pair of map.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const path = prefix ? `${prefix}.${name}` : name;
    const keyNode = pair.key as Node | null;
    const line = keyNode?.range ? lc.linePos(keyNode.range[0]).line : undefined;
    if (isMap(pair.value)) keys.push(...leafKeys(pair.value, lc, path));
    else keys.push({ path, line });
  }
  return keys;
}

function load(path: string, text: string, tool: string, rule: string): { root?: YAMLMap; lc: LineCounter; findings: Finding[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const [syntax] = doc.errors;
  if (syntax) return { lc, findings: [{ file: path, ...(syntax.linePos ? { line: syntax.linePos[0].line } : {}), rule, severity: "error", message: `invalid YAML, ${tool} stops on it: ${shown(syntax.message.split("\n")[0] ?? "")}` }] };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { lc, findings: [] };
  if (!isMap(root)) return { lc, findings: [{ file: path, rule, severity: "error", message: `the top level must be a mapping; ${tool} fails to load the file` }] };
  return { root, lc, findings: [] };
}

const listOf = (v: unknown): string | undefined =>
  (typeof v === "string" ? v.split(",") : Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined)?.map((x) => x.trim().toLowerCase()).filter(Boolean).sort().join(",");

/**
 * `trivy.yaml` at the repository root: every key that can change what the gate decides is an error,
 * except one that each of our trivy-action steps (`steps`: their `with:` inputs, the gate's and the
 * rescan's) hands to Trivy itself, which Trivy takes over
 * its config file, and one whose value is what the gate runs with anyway (gogs/gogs': `vulnerability.type:
 * [os, library]`, trivy-action's default, which it does not export). What the step sets is read the way
 * trivy-action reads it (`trivy-args.ts`), so it follows the step, not a list of ours.
 */
export function lintTrivyConfig(path: string, text: string, steps: Record<string, unknown>[]): Finding[] {
  const { root, lc, findings } = load(path, text, "Trivy", "scanner-config/trivy");
  if (!root) return findings;
  const data = root.toJSON() as Record<string, unknown>;
  const valueAt = (dotted: string) => dotted.split(".").reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined), data);
  // Settled only when every Trivy step of ours that reads the file settles it (the gate's and the rescan's).
  const settled = (key: string) =>
    steps.length > 0 &&
    steps.every((inputs) => {
      const set = stepSets(inputs, flagOf(key));
      return set.exported || (set.value !== undefined && listOf(set.value) === listOf(valueAt(key)));
    });
  for (const key of leafKeys(root, lc)) {
    if (TRIVY_HARMLESS.has(key.path) || settled(key.path)) continue;
    const why = TRIVY_WHY[key.path];
    findings.push({
      file: path,
      ...(key.line === undefined ? {} : { line: key.line }),
      rule: "scanner-config/trivy",
      severity: "error",
      message: `\`${shown(key.path)}\`: Trivy reads ./${path} by itself, in the PR gate and in the rescan (trivy-action runs it in the workspace), so this setting changes what they decide${why ? ` (${why})` : ""}, and the gate step does not show it`,
      hint: `remove it, or move the file out of the repository root (e.g. .trivy/config.yaml) and pass --config to the jobs that want it; ${[...TRIVY_HARMLESS].join(", ")} may stay, and so may what the gate step sets itself`,
    });
  }
  return findings;
}

/** `.grype.yaml`: Grype's whole configuration; ours may hold `ignore:` and nothing else. */
export function lintGrypeConfig(path: string, text: string): Finding[] {
  const { root, lc, findings } = load(path, text, "Grype", "scanner-config/grype");
  if (!root) return findings;
  for (const pair of root.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (name === "ignore") continue;
    const keyNode = pair.key as Node | null;
    const line = keyNode?.range ? lc.linePos(keyNode.range[0]).line : undefined;
    const why = GRYPE_WHY[name];
    findings.push({
      file: path,
      ...(line === undefined ? {} : { line }),
      rule: "scanner-config/grype",
      severity: "error",
      message: `\`${shown(name)}\`: ${path} is Grype's whole configuration in the PR gate and the rescan (scan-action's \`config:\`), so this setting changes what they decide${why ? ` (${why})` : ""}, and the gate step does not show it; this file may hold \`ignore:\` only`,
      hint: "remove it; the gate's policy lives in the gate step (only-fixed, severity-cutoff, fail-build)",
    });
  }
  return findings;
}
