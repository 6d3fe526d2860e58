/**
 * Local bare git repositories standing in for actions on github.com: git's own
 * `url.<file-url>.insteadOf=https://github.com/` sends `relay-security pin` to them, so the tests read
 * tags, dates and history over a real git transport with no network.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execProgram, type Deps } from "../../src/deps.js";

export const DAY = 86_400;

export class Upstreams {
  readonly root = mkdtempSync(join(tmpdir(), "relay-pin-up-"));
  readonly base = join(this.root, "remotes");
  private n = 0;

  /** `git -c` pairs that point github.com at the local repositories. */
  get gitConfig(): string[] {
    return ["-c", `url.file://${this.base}/.insteadOf=https://github.com/`];
  }

  /** The same, as environment for a child process (the built CLI). */
  get env(): Record<string, string> {
    return { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: `url.file://${this.base}/.insteadOf`, GIT_CONFIG_VALUE_0: "https://github.com/" };
  }

  /** Deps whose git goes to the local repositories. */
  exec(): Deps["exec"] {
    return (file, args, opts) => execProgram(file, file === "git" ? [...this.gitConfig, ...args] : args, opts);
  }

  /** A work tree and its bare "github" repository for `repo`. */
  repo(repo: string): Upstream {
    const work = join(this.root, "work", repo);
    mkdirSync(work, { recursive: true });
    const bare = join(this.base, repo);
    mkdirSync(bare, { recursive: true });
    execFileSync("git", ["init", "-q", "--bare", bare]);
    const u = new Upstream(work, bare, () => ++this.n);
    u.git("init", "-q", "-b", "main");
    return u;
  }
}

export class Upstream {
  readonly work: string;
  readonly bare: string;
  private readonly next: () => number;
  constructor(work: string, bare: string, next: () => number) {
    this.work = work;
    this.bare = bare;
    this.next = next;
  }

  git(...args: string[]): string {
    return this.gitAt(undefined, ...args);
  }

  /** git with author, committer and tagger dated `at` (unix seconds), when given. */
  gitAt(at: number | undefined, ...args: string[]): string {
    const date = at === undefined ? {} : { GIT_AUTHOR_DATE: `@${at} +0000`, GIT_COMMITTER_DATE: `@${at} +0000` };
    const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com", ...date };
    return execFileSync("git", ["-C", this.work, ...args], { encoding: "utf8", env }).trim();
  }

  /** A new commit (dated `at`), its SHA. */
  commit(at?: number, file = "action.yml"): string {
    mkdirSync(join(this.work, file, ".."), { recursive: true });
    writeFileSync(join(this.work, file), `name: release ${this.next()}\nruns:\n  using: node20\n  main: index.js\n`);
    this.gitAt(at, "add", "-A");
    this.gitAt(at, "commit", "-q", "-m", `commit ${file}`);
    return this.git("rev-parse", "HEAD");
  }

  /** Tag HEAD (annotated: a tag object with its own date), forcing it when it exists (a moved tag). */
  tag(name: string, opts: { annotated?: boolean; at?: number; sha?: string } = {}): void {
    const target = opts.sha ?? "HEAD";
    if (opts.annotated) this.gitAt(opts.at, "tag", "-f", "-a", name, "-m", `release ${name}`, target);
    else this.gitAt(opts.at, "tag", "-f", name, target);
  }

  /** Push branches and tags (forced) to the bare repository. */
  push(): this {
    this.git("push", "-q", "-f", this.bare, "--tags", "+refs/heads/*:refs/heads/*");
    return this;
  }
}
