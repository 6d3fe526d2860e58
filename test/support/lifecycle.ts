import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeGh } from "./fake-gh.js";
import { lifecycleScripts } from "./scripts.js";
import { runStep, stepEnv, tempDir, writeExecutable, type ScriptRun } from "./shell.js";

export const FIXTURES = fileURLToPath(new URL("../fixtures/scanner-output/", import.meta.url));

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), "utf8");
}

export const REPO = "acme/widget";
export const RUN_URL = "https://github.com/acme/widget/actions/runs/4242";
export const IMAGE_REF = "ghcr.io/acme/widget";
export const MODULE_PATH = "example.com/widget";

/**
 * One temp "runner": a workspace (cwd), a bin dir with the fake `gh` (and a fake `govulncheck` on
 * demand), a results dir as the issue job downloads it, and the three scripts to run.
 */
export class Runner {
  readonly root: string;
  readonly cwd: string;
  readonly bin: string;
  readonly resultsDir: string;
  readonly gh: FakeGh;
  readonly cleanup: () => void;

  constructor() {
    const t = tempDir("lifecycle");
    this.root = t.path;
    this.cleanup = t.cleanup;
    this.cwd = join(this.root, "work");
    this.bin = join(this.root, "bin");
    this.resultsDir = join(this.root, "results");
    mkdirSync(this.cwd, { recursive: true });
    this.gh = new FakeGh(this.root, this.bin);
    this.gh.setState({ repo: REPO });
  }

  /** What the issue job downloads for one target: `status` and (if given) `results.json`. */
  writeResult(target: string, status: string | undefined, results?: string): void {
    const dir = join(this.resultsDir, target);
    mkdirSync(dir, { recursive: true });
    if (status !== undefined) writeFileSync(join(dir, "status"), `${status}\n`);
    if (results !== undefined) writeFileSync(join(dir, "results.json"), results);
  }

  run(script: string, env: Record<string, string | undefined>): ScriptRun {
    return runStep(script, { cwd: this.cwd, scriptDir: join(this.root, "scripts"), env: stepEnv(this.bin, env) });
  }

  /** The issues step with the workflow's env; `env` overrides. */
  issues(env: Record<string, string | undefined> = {}): ScriptRun {
    return this.run(lifecycleScripts().issueLifecycle, {
      ...this.gh.env(),
      GH_TOKEN: "ghs_fake",
      GH_REPO: REPO,
      RESULTS_DIR: this.resultsDir,
      TARGETS: "trivy-image govulncheck",
      LABEL: "security",
      RUN_URL,
      IMAGE_REF,
      MODULE_PATH,
      // A scheduled run on the default branch, as GitHub sets it up (the job passes DEFAULT_BRANCH and INPUT_REF).
      GITHUB_EVENT_NAME: "schedule",
      GITHUB_REF_NAME: "main",
      DEFAULT_BRANCH: "main",
      ...env,
    });
  }

  /** What a scanner job's "Record what was scanned" step leaves next to the results. */
  writeMeta(target: string, meta: Record<string, unknown>): void {
    const dir = join(this.resultsDir, target);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "meta.json"), `${JSON.stringify(meta)}\n`);
  }

  /**
   * A fake `govulncheck`: text mode prints `text` and exits `textExit`; `-format json` prints `json`
   * and exits `jsonExit` (0, like the real one). Each call's arguments go to `govulncheck.log`.
   */
  fakeGovulncheck(opts: { text: string; textExit: number; json: string; jsonExit?: number }): string {
    const dir = join(this.root, "govulncheck-fake");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "text"), opts.text);
    writeFileSync(join(dir, "json"), opts.json);
    writeExecutable(
      this.bin,
      "govulncheck",
      [
        "#!/bin/sh",
        `echo "$*" >>'${dir}/govulncheck.log'`,
        'case " $* " in',
        `  *" -format json "*|*" -format=json "*|*" -json "*) cat '${dir}/json'; exit ${opts.jsonExit ?? 0} ;;`,
        `  *) cat '${dir}/text'; exit ${opts.textExit} ;;`,
        "esac",
        "",
      ].join("\n"),
    );
    return join(dir, "govulncheck.log");
  }
}

/** The marker line the issue job puts first in each body. */
export const marker = (target: string) => `<!-- relay-security:${target} -->`;

/** The table rows (lines starting with `| `, minus the header and separator) of an issue body. */
export function tableRows(body: string): string[] {
  return body.split("\n").filter((l) => l.startsWith("| ")).slice(2);
}

/** A cell split that honours `\|` escapes (what GitHub's table parser does). */
export function cells(row: string): string[] {
  return row
    .replace(/^\| | \|$/g, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** The hidden lines of our body: marker, begin, state, end (nothing from a scanner may add one). */
export function hiddenLines(body: string): string[] {
  return body.split("\n").filter((l) => l.includes("<!--"));
}

export const BEGIN = "<!-- relay-security:begin -->";
export const END = "<!-- relay-security:end -->";

/** The text between (and with) our begin and end markers. */
export function region(body: string): string {
  const start = body.indexOf(BEGIN);
  const end = body.indexOf(END, start);
  if (start < 0 || end < 0) throw new Error("no relay-security region in the body");
  return body.slice(start, end + END.length);
}

/** The clean comment the close posts (with its hidden tag). */
export const cleanComment = (target: string) => `<!-- relay-security:${target}:clean -->\nScan is clean as of ${RUN_URL}\n`;

/** The Actions bot as REST names it (who creates our issues and closes them). */
export const BOT = "github-actions[bot]";
