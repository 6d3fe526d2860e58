import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { Deps } from "../deps.js";
import { UserError } from "../errors.js";
import { readRepoText } from "../fsguard.js";
import { loadPins } from "../pins.js";
import type { Finding } from "../types.js";
import { envToFlags, trivyActionRun, type TrivyActionRun } from "./trivy-args.js";
import { configFindings, gateFindings, parseTrivyReport, type ReportContext } from "./trivy-report.js";
import { toolFailure } from "./tool-error.js";

export interface DryRunTrivyOptions {
  /** The repository: Trivy runs here, as trivy-action runs in the workspace (trivy.yaml, .trivyignore). */
  dir: string;
  /** The `with:` of the gate step, as rendered or as found in the user's workflow. */
  gate: Record<string, unknown>;
  /** A `docker save` archive of the image (relative to `dir` or absolute): the gate's full view. */
  imageArchive?: string;
  /** Use the vulnerability DB and checks already cached; download nothing. */
  offline: boolean;
  /** The Dockerfile, relative to `dir`, for `trivy config`. */
  dockerfile?: string;
  /** The final stage's base image, scanned from the registry when there is no archive. */
  finalBaseImage?: string;
  exec: Deps["exec"];
  /** The trivy to run (default `trivy` on PATH). */
  trivyPath?: string;
  /** Trivy's `--cache-dir` (default: Trivy's own, ~/.cache/trivy). */
  cacheDir?: string;
}

/** Inputs that shape the report, not the policy: the dry run sets its own. */
const NOT_POLICY = new Set(["TRIVY_EXIT_CODE", "TRIVY_FORMAT", "TRIVY_TEMPLATE", "TRIVY_OUTPUT", "TRIVY_INPUT", "TRIVY_QUIET", "TRIVY_LIST_ALL_PKGS", "TRIVY_DOCKER_HOST"]);
const TIMEOUT_MS = 15 * 60_000;

export function trivyInstallHint(version = loadPins().tools.trivy.version): string {
  return `go install github.com/aquasecurity/trivy/cmd/trivy@${version} (or see https://trivy.dev/latest/getting-started/installation/)`;
}

/**
 * Preview the PR gate: Trivy with the gate step's exact policy (severity, ignore-unfixed, vuln types,
 * scanners, ignore files), but exit code 0 and JSON output. Returns an `error` for each finding the gate
 * would fail on, an `info` for each ignore entry that suppressed one, `warning`s from `trivy config` on
 * the Dockerfile, and `skipped` (with the reason) for whatever could not run.
 */
export async function dryRunTrivy(opts: DryRunTrivyOptions): Promise<Finding[]> {
  const run = trivyActionRun(opts.gate);
  const bin = opts.trivyPath ?? "trivy";
  const asked = opts.exec(bin, ["--version"], { cwd: opts.dir });
  // `trivy config` reads the Dockerfile and its checks, not the vulnerability database, and needs nothing
  // the probe answers: it starts with the probe and runs beside the scans. It is the longest tool run of a
  // set-up (1.5 s of a 2 s run), so it is the one not to queue (issue 19).
  const config = opts.dockerfile ? trivyConfig(bin, opts) : Promise.resolve([]);
  config.catch(() => undefined); // awaited below; a throw from the scans must not leave it unhandled
  const probe = await asked;
  if (probe.failed !== undefined || probe.exitCode !== 0) {
    await config; // no Trivy: the config run failed to start as well, and the finding below says so once
    return [{
      file: opts.imageArchive ?? opts.dockerfile ?? ".",
      rule: "trivy-gate",
      severity: "skipped",
      message: `Trivy is not installed (${toolFailure(bin, probe)}): the gate was not previewed and the Dockerfile was not checked`,
      hint: trivyInstallHint(run.version),
    }];
  }
  const findings: Finding[] = [];
  const local = /^Version:\s*(\S+)/m.exec(probe.stdout)?.[1];
  if (run.version && local && run.version.replace(/^v/, "") !== local.replace(/^v/, "")) {
    findings.push({ file: ".", rule: "trivy-gate/version", severity: "info", message: `Trivy ${local} ran here; the gate installs ${run.version}, whose results can differ` });
  }

  const scratch = mkdtempSync(join(tmpdir(), "relay-security-trivy-"));
  try {
    const ignore = prepareIgnoreFile(opts.dir, run, scratch);
    if ("error" in ignore) findings.push(ignore.error);
    else {
      const common = [
        ...envToFlags(Object.fromEntries(Object.entries(run.env).filter(([k]) => !NOT_POLICY.has(k)))),
        ...ignore.flags,
        "--exit-code", "0", "--format", "json", "--show-suppressed",
        "--skip-version-check", "--disable-telemetry", "--cache-backend", "memory",
        ...(opts.cacheDir ? ["--cache-dir", opts.cacheDir] : []),
        ...(opts.offline ? ["--skip-db-update", "--skip-java-db-update", "--offline-scan"] : []),
      ];
      const plan = targets(opts);
      const scanned = new Set<string>();
      for (const target of plan.list) {
        const r = await opts.exec(bin, [...target.args.slice(0, 1), ...common, ...target.args.slice(1)], { cwd: opts.dir, timeoutMs: TIMEOUT_MS });
        const report = r.failed === undefined && r.exitCode === 0 ? parseTrivyReport(r.stdout) : undefined;
        if (!report) findings.push(didNotRun(target.label, r, opts.offline));
        else {
          scanned.add(target.label);
          findings.push(...gateFindings(report, { file: target.file, locateIgnore: ignore.locate }));
        }
      }
      // Said after the scans, from what did run: a "scanned" line next to a "not previewed" one contradicted it.
      const coverage = await plan.coverage(scanned);
      if (coverage) findings.push(coverage);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  findings.push(...(await config));
  return findings;
}

interface Target { label: string; file: ReportContext["file"]; args: string[] }

/**
 * What to scan: the archive; else the final base image from the registry plus the module with `trivy fs`,
 * and then the note of what such a preview covers, written from the targets that did scan.
 */
function targets(opts: DryRunTrivyOptions): { list: Target[]; coverage(scanned: Set<string>): Promise<Finding | undefined> } {
  if (opts.imageArchive) {
    const path = isAbsolute(opts.imageArchive) ? opts.imageArchive : resolve(opts.dir, opts.imageArchive);
    return { list: [{ label: opts.imageArchive, file: opts.imageArchive, args: ["image", "--input", path] }], coverage: () => Promise.resolve(undefined) };
  }
  // Asked beside the scans: its answer only adds a sentence to the coverage note.
  const docker = opts.exec("docker", ["info", "--format", "{{.ServerVersion}}"], { cwd: opts.dir, timeoutMs: 20_000 });
  docker.catch(() => undefined); // awaited by coverage(); scans that throw first must not leave it unhandled
  const base = opts.finalBaseImage && opts.finalBaseImage !== "scratch" && !opts.finalBaseImage.includes("$") ? opts.finalBaseImage : undefined;
  const module = "the Go module";
  const list: Target[] = [];
  if (base) list.push({ label: base, file: base, args: ["image", "--image-src", "remote", base] });
  list.push({ label: module, file: (t) => t || ".", args: ["fs", "."] });
  const coverage = async (scanned: Set<string>): Promise<Finding> => {
    const daemon = await docker;
    const did = [
      ...(base && scanned.has(base) ? [`the final stage's base image ${base} (from the registry)`] : []),
      ...(scanned.has(module) ? ["the Go module's dependencies (trivy fs)"] : []),
    ];
    const baseNote = !base ? ", nor the base image (none found)" : scanned.has(base) ? "" : `, nor the base image ${base} (not scanned, see above)`;
    return {
      file: opts.dockerfile ?? ".",
      rule: "trivy-gate/coverage",
      severity: "info",
      message: `No image archive: ${did.length ? `scanned ${did.join(" and ")}` : "nothing could be scanned (see above)"}. `
        + "That does not cover what the gate sees in the built image: the Go standard library of the compiled binary (the Go version it is built with), "
        + `packages installed by RUN, or files copied in${baseNote}.`
        + (daemon.failed === undefined && daemon.exitCode === 0 ? " Docker is available here: build the image, `docker save` it and pass it with --image-archive." : ""),
      hint: "docker build -t app . && docker save app -o app.tar && npx create-relay-security validate --image-archive app.tar",
    };
  };
  return { list, coverage };
}

type PreparedIgnore =
  | { flags: string[]; locate: ReportContext["locateIgnore"] }
  | { error: Finding };

/** trivy-action's ignore-file handling: plain files concatenated (into a scratch file, not the repo). */
function prepareIgnoreFile(dir: string, run: TrivyActionRun, scratch: string): PreparedIgnore {
  const step = (message: string, file = run.ignoreFiles.join(",")): PreparedIgnore =>
    ({ error: { file, rule: "trivy-gate", severity: "error", message: `the gate step would stop before scanning: ${message}` } });
  if (run.ignoreMode === "invalid") return step(`trivyignores: ${run.ignoreError}`);
  // Through the guard (issue 11): a `trivyignores:` path outside the repository is never read.
  const read = (f: string): string | undefined | Error => {
    try {
      return readRepoText(dir, f);
    } catch (error) {
      if (error instanceof UserError) return error;
      throw error;
    }
  };
  const files = run.ignoreMode === "none" ? [".trivyignore"] : run.ignoreFiles; // Trivy's default in the workspace
  const read1 = files.map((f) => ({ file: f, text: read(f) }));
  const refused = read1.find((t) => t.text instanceof Error);
  if (refused) return step((refused.text as Error).message, refused.file);
  const missing = run.ignoreFiles.find((f) => read1.find((t) => t.file === f)?.text === undefined);
  if (missing) return step(`trivy-action cannot find ignorefile '${missing}' (trivyignores: ${run.ignoreFiles.join(",")})`, missing);
  const texts = read1.map((t) => ({ file: t.file, text: typeof t.text === "string" ? t.text : "" }));
  const locate = (_source: string, id: string) => {
    for (const { file, text } of texts) {
      const idx = text.split(/\r?\n/).findIndex((l) => l.trim().split(/\s+/)[0] === id || yamlId(l) === id);
      if (idx >= 0) return { file, line: idx + 1 };
    }
    return { file: files.join(", ") };
  };
  if (run.ignoreMode === "none") return { flags: [], locate };
  if (run.ignoreMode === "yaml") return { flags: ["--ignorefile", resolve(dir, run.ignoreFiles[0] ?? "")], locate };
  const joined = join(scratch, "trivyignores");
  writeFileSync(joined, texts.map((t) => t.text).join("")); // `cat f >> ./trivyignores`, as the entrypoint does
  return { flags: ["--ignorefile", joined], locate };
}

/** The ID of a `.trivyignore.yaml` line like `- id: CVE-2024-1234`. */
const yamlId = (line: string) => /^\s*-?\s*id:\s*["']?([^"'\s]+)["']?\s*$/.exec(line)?.[1];

function didNotRun(label: string, r: Awaited<ReturnType<Deps["exec"]>>, offline: boolean): Finding {
  const why = toolFailure("trivy", r);
  const firstRun = /cannot be specified on the first run|--skip-db-update/.test(why);
  return {
    file: label,
    rule: "trivy-gate",
    severity: "skipped",
    message: offline && firstRun
      ? `the gate was not previewed for ${label}: Trivy has no vulnerability database cached here, and this run downloads none`
      : `Trivy could not scan ${label}, so the gate was not previewed for it: ${why}`,
    hint: offline && firstRun
      ? "`npx create-relay-security validate` (without --offline) downloads it and previews the gate; or `trivy image --download-db-only`"
      : "fix that and run `npx create-relay-security validate` again; the PR gate in CI is not affected",
  };
}

/** `trivy config` on the Dockerfile; offline, the checks embedded in Trivy (`--skip-check-update`). */
async function trivyConfig(bin: string, opts: DryRunTrivyOptions): Promise<Finding[]> {
  const dockerfile = opts.dockerfile ?? "Dockerfile";
  if (!existsSync(resolve(opts.dir, dockerfile))) return [];
  const base = ["config", "--format", "json", "--skip-version-check", "--disable-telemetry", ...(opts.cacheDir ? ["--cache-dir", opts.cacheDir] : [])];
  let r = await opts.exec(bin, [...base, ...(opts.offline ? ["--skip-check-update"] : []), dockerfile], { cwd: opts.dir, timeoutMs: TIMEOUT_MS });
  // Online, a checks bundle that cannot be fetched is not a reason to skip: the embedded checks work.
  if (!opts.offline && (r.failed !== undefined || r.exitCode !== 0)) r = await opts.exec(bin, [...base, "--skip-check-update", dockerfile], { cwd: opts.dir, timeoutMs: TIMEOUT_MS });
  const report = r.failed === undefined && r.exitCode === 0 ? parseTrivyReport(r.stdout) : undefined;
  if (!report) {
    return [{ file: dockerfile, rule: "trivy-config", severity: "skipped", message: `trivy config could not check ${dockerfile}: ${toolFailure("trivy", r)}` }];
  }
  return configFindings(report, dockerfile).map((f) => explainRootCheck(f, opts.finalBaseImage));
}

/**
 * Trivy's DS-0002 ("image user should not be 'root'") looks only for a USER line in the Dockerfile, so it
 * fires on a final stage FROM a `:nonroot` image (distroless), which already runs as uid 65532. Said so,
 * as info; for any other base the warning stays, with the fix.
 */
function explainRootCheck(f: Finding, finalBaseImage: string | undefined): Finding {
  if (!/^trivy-config\/(?:AVD-)?DS-?0*02$/.test(f.rule)) return f;
  if (finalBaseImage && /:(?:[\w.-]*-)?nonroot(?:$|[-@])/.test(finalBaseImage)) {
    return { ...f, severity: "info", message: `${f.message}; not a problem here: the final stage's base image ${finalBaseImage} runs as a non-root user (uid 65532), and Trivy only looks for a USER line` };
  }
  return { ...f, hint: f.hint ?? "add `USER 65532:65532` (or a named non-root user) to the final stage" };
}
