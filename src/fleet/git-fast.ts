import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Deps } from "../deps.js";

/**
 * `detect` asks git four things (the top level, the origin URL, origin/HEAD, HEAD). Over hundreds of clones, three git
 * processes a repository are most of the time, so `fleet --local` answers them from the files git itself
 * reads, and falls back to real git whenever the layout is anything but the plain one it understands
 * (a worktree or submodule `.git` file, `include` in the config, packed origin/HEAD, ...).
 */
export function fastGitDeps(deps: Deps): Deps {
  return { ...deps, exec: (file, args, opts) => (file === "git" ? fast(args) : undefined) ?? deps.exec(file, args, opts) };
}

const ok = (stdout: string) => Promise.resolve({ exitCode: 0, stdout: `${stdout}\n`, stderr: "" });
const none = () => Promise.resolve({ exitCode: 1, stdout: "", stderr: "" });

function fast(args: string[]) {
  if (args[0] !== "-C" || args.length < 3) return undefined;
  const dir = args[1]!;
  const gitDir = join(dir, ".git");
  if (!existsSync(gitDir) || !statSync(gitDir).isDirectory()) return undefined;
  const cmd = args.slice(2).join(" ");
  // `.git` is a directory right here, so this is the top level; git prints it with symlinks resolved.
  if (cmd === "rev-parse --show-toplevel") return ok(realpathSync(dir));
  if (cmd === "remote get-url origin") {
    const config = readFileSync(join(gitDir, "config"), "utf8");
    if (/^\s*\[\s*(include|includeIf|url)\b/im.test(config)) return undefined; // insteadOf and includes: let git decide
    const url = originUrl(config);
    return url === undefined ? none() : ok(url);
  }
  const ref = cmd === "symbolic-ref --short HEAD" ? "HEAD" : cmd === "symbolic-ref --short refs/remotes/origin/HEAD" ? "refs/remotes/origin/HEAD" : undefined;
  if (!ref) return undefined;
  const p = join(gitDir, ref);
  if (!existsSync(p)) return ref === "HEAD" ? undefined : packed(gitDir, ref) ? undefined : none();
  const m = /^ref: refs\/(?:heads\/)?(\S+)\s*$/.exec(readFileSync(p, "utf8"));
  if (!m) return none(); // a detached HEAD: not a symbolic ref
  return ok(ref === "HEAD" ? m[1]! : m[1]!.replace(/^remotes\//, ""));
}

/** `[remote "origin"] url = ...` from a plain config file; the first url, as git prints it. */
function originUrl(config: string): string | undefined {
  let inOrigin = false;
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("[")) inOrigin = /^\[\s*remote\s+"origin"\s*\]$/.test(line);
    else if (inOrigin) {
      const m = /^url\s*=\s*(.*)$/.exec(line);
      if (m) return m[1]!.replace(/^"(.*)"$/, "$1");
    }
  }
  return undefined;
}

const packed = (gitDir: string, ref: string) => existsSync(join(gitDir, "packed-refs")) && readFileSync(join(gitDir, "packed-refs"), "utf8").includes(ref);
