import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeExecutable } from "./shell.js";

const FAKE_GH = fileURLToPath(new URL("./fake-gh.mjs", import.meta.url));

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: "OPEN" | "CLOSED";
  stateReason?: string | null;
  labels: string[];
  createdAt: string;
  updatedAt?: string;
  closedAt?: string | null;
  comments: { id: number; body: string; createdAt: string; author?: string }[];
  /** REST login of who opened it (default: the Actions bot, `github-actions[bot]`). */
  author?: string;
  authorType?: "User" | "Bot";
  /** A pull request: in REST's issue list (with a `pull_request` key), never in `gh issue list`. */
  pullRequest?: boolean;
  /** REST login of who closed it (REST `closed_by`, on the single-issue endpoint only). */
  closedBy?: string | null;
}

export interface FakeGhState {
  repo?: string;
  /** The fake clock (ISO); default: real time. */
  now?: string;
  searchLagMinutes?: number;
  labels: { name: string; color?: string; description?: string }[];
  issues: FakeIssue[];
  /** Injected failures; `times`: how often it fires (default always). `command` is e.g. "issue close" or "api". */
  fail?: { command: string; stderr?: string; exit?: number; times?: number }[];
  /** Who the token is (REST login and type); default the Actions bot. */
  viewer?: { login: string; type: "User" | "Bot" };
  /** `gh api --paginate` prints one merged array (newer gh) instead of one array per page. */
  paginateMerged?: boolean;
}

const WRITES = new Set(["issue create", "issue edit", "issue close", "issue reopen", "issue comment", "label create"]);

/** The fake `gh` (test/support/fake-gh.mjs) behind a `gh` shim in `binDir`, with its state and call log. */
export class FakeGh {
  readonly stateFile: string;
  readonly logFile: string;

  constructor(dir: string, binDir: string) {
    this.stateFile = join(dir, "gh-state.json");
    this.logFile = join(dir, "gh-calls.log");
    writeExecutable(binDir, "gh", `#!/bin/sh\nexec '${process.execPath}' '${FAKE_GH}' "$@"\n`);
  }

  /** The env the fake reads (add GH_TOKEN / GH_REPO yourself). */
  env(): Record<string, string> {
    return { FAKE_GH_STATE: this.stateFile, FAKE_GH_LOG: this.logFile };
  }

  setState(state: Partial<FakeGhState>): void {
    writeFileSync(this.stateFile, JSON.stringify({ labels: [], issues: [], ...state }, null, 2));
  }

  state(): FakeGhState {
    return JSON.parse(readFileSync(this.stateFile, "utf8")) as FakeGhState;
  }

  issue(number: number): FakeIssue {
    const issue = this.state().issues.find((i) => i.number === number);
    if (!issue) throw new Error(`no issue #${number} in the fake's state`);
    return issue;
  }

  /** Every call, in order, as its argv (without `gh`). */
  calls(): { argv: string[]; exit: number; requests?: number }[] {
    if (!existsSync(this.logFile)) return [];
    return readFileSync(this.logFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { argv: string[]; exit: number; requests?: number });
  }

  /** The calls that would change something on GitHub. */
  writeCalls(): string[][] {
    return this.calls()
      .map((c) => c.argv)
      .filter((argv) => WRITES.has(argv.slice(0, 2).join(" ")));
  }

  clearLog(): void {
    writeFileSync(this.logFile, "");
  }
}

/** An issue for the fake's initial state. */
export function fakeIssue(number: number, fields: Partial<FakeIssue> = {}): FakeIssue {
  return {
    number,
    title: `Issue ${number}`,
    body: `Body of issue ${number}.`,
    state: "OPEN",
    stateReason: null,
    labels: [],
    createdAt: new Date(Date.UTC(2025, 0, 1) + number * 3_600_000).toISOString(),
    comments: [],
    ...fields,
  };
}
