/**
 * Just enough shell to read the `docker build` and `make` commands in a `run:` script: line
 * continuations, quotes, `${{ }}` expressions (GitHub substitutes them before the shell runs, so they
 * are one unit), command separators and plain `VAR=value` assignments. Anything cleverer (command
 * substitution, parameter operators) is kept as text and later counted as unresolvable.
 */

export interface Command {
  readonly words: readonly string[];
  /** Plain `VAR=value` / `export VAR=value` assignments seen earlier in the same script. */
  readonly vars: ReadonlyMap<string, string>;
}

/**
 * Each script split once per process (issue 19): a set-up reads every step of ci.yml three times (the
 * gate's placement and the CI build the rescan copies read the original, validate's preview reads the
 * result), so a 5,000-step workflow's scripts were split 15,000 times. What is handed out is shared, so
 * it is frozen; the cache is emptied when it grows past SPLIT_KEEP scripts (a fleet's many repositories).
 */
const split = new Map<string, readonly Command[]>();
const SPLIT_KEEP = 20_000;

/** Split a script into simple commands, with the assignments that precede each one. */
export function commands(script: string): readonly Command[] {
  let hit = split.get(script);
  if (!hit) {
    if (split.size >= SPLIT_KEEP) split.clear();
    hit = Object.freeze(splitCommands(script).map((c) => Object.freeze({ words: Object.freeze(c.words), vars: c.vars })));
    split.set(script, hit);
  }
  return hit;
}

function splitCommands(script: string): { words: string[]; vars: Map<string, string> }[] {
  const src = script.replace(/\\\r?\n/g, "");
  const out: { words: string[]; vars: Map<string, string> }[] = [];
  const vars = new Map<string, string>();
  let words: string[] = [];
  let word: string | undefined;
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    let i = 0;
    if (words[0] === "export") i = 1;
    const assign = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
    while (i < words.length && assign.test(words[i] ?? "")) i++;
    const leading = words.slice(words[0] === "export" ? 1 : 0, i);
    if (i === words.length) for (const w of leading) vars.set(w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1));
    else {
      const rest = commandWord(words.slice(i));
      if (rest.length > 0) out.push({ words: rest, vars: new Map(vars) });
    }
    words = [];
  };
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string;
    if (src.startsWith("${{", i)) {
      const end = src.indexOf("}}", i);
      const stop = end < 0 ? src.length : end + 2;
      word = (word ?? "") + src.slice(i, stop);
      i = stop - 1;
      continue;
    }
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word = (word ?? "") + ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === "\\" && /["\\$`]/.test(src[i + 1] ?? "")) word = (word ?? "") + (src[++i] ?? "");
      else word = (word ?? "") + ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      word = word ?? "";
    } else if (ch === "\\") {
      word = (word ?? "") + (src[++i] ?? "");
    } else if (ch === "$" && (src[i + 1] === "(" || src[i + 1] === "{")) {
      // Keep `$( ... )` and `${ ... }` whole; the resolver decides what they mean.
      const close = src[i + 1] === "(" ? ")" : "}";
      let depth = 0;
      let j = i + 1;
      for (; j < src.length; j++) {
        if (src[j] === src[i + 1]) depth++;
        else if (src[j] === close && --depth === 0) break;
      }
      word = (word ?? "") + src.slice(i, j + 1);
      i = j;
    } else if (ch === "#" && word === undefined) {
      const nl = src.indexOf("\n", i);
      i = nl < 0 ? src.length : nl - 1;
    } else if (ch === "\n" || ch === ";" || ch === "&" || ch === "|" || ch === "(" || ch === ")") {
      endCommand();
    } else if (/\s/.test(ch)) {
      endWord();
    } else {
      // A run of characters none of the branches above treats specially, taken at once.
      PLAIN.lastIndex = i;
      const plain = PLAIN.exec(src)?.[0] ?? ch;
      word = (word ?? "") + plain;
      i += plain.length - 1;
    }
  }
  endCommand();
  return out;
}

/** Characters that are only ever part of a word: no quote, escape, `$`, `#`, separator or space. */
const PLAIN = /[^\s'"\\$#;&|()]+/y;

/**
 * Shell keywords that may stand before a command (`do docker build ...` inside `for ... do ... done`,
 * `then`, `if`, `!`, `{`), and wrappers that run the command after their own options (issue 20.5:
 * `sudo docker build`, `time docker build`, `env X=1 docker build`). Each wrapper lists the options of
 * its that take a value (sudo(8), env(1), nice(1), timeout(1), bash's `time`/`command`/`exec`).
 */
const KEYWORDS = new Set(["do", "then", "else", "elif", "if", "while", "until", "!", "{", "time"]);
const WRAPPERS: Record<string, { valueFlags: Set<string>; operands?: number }> = {
  sudo: { valueFlags: new Set(["-u", "--user", "-g", "--group", "-C", "--close-from", "-D", "--chdir", "-h", "--host", "-p", "--prompt", "-R", "--chroot", "-r", "--role", "-t", "--type", "-T", "--command-timeout", "-U", "--other-user"]) },
  env: { valueFlags: new Set(["-u", "--unset", "-C", "--chdir", "-S", "--split-string"]) },
  nice: { valueFlags: new Set(["-n", "--adjustment"]) },
  nohup: { valueFlags: new Set() },
  command: { valueFlags: new Set() },
  exec: { valueFlags: new Set(["-a"]) },
  time: { valueFlags: new Set(["-f", "--format", "-o", "--output"]) },
  timeout: { valueFlags: new Set(["-s", "--signal", "-k", "--kill-after"]), operands: 1 },
};

/** The words from the command word on, past keywords, wrappers, their options and `env`'s assignments. */
function commandWord(words: string[]): string[] {
  let i = 0;
  for (let guard = 0; guard < 16 && i < words.length; guard++) {
    const w = words[i] ?? "";
    const name = w.replace(/^.*\//, "");
    const wrapper = WRAPPERS[name];
    if (KEYWORDS.has(w) && !wrapper) {
      i++;
      continue;
    }
    if (!wrapper) break;
    i++;
    while (i < words.length) {
      const v = words[i] ?? "";
      if (v === "--") {
        i++;
        break;
      }
      if (v.startsWith("-") && v.length > 1) i += wrapper.valueFlags.has(v) ? 2 : 1;
      else if (name === "env" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) i++;
      else break;
    }
    i += wrapper.operands ?? 0;
  }
  return words.slice(i);
}

/** A `docker build` / `docker buildx build` invocation, flags read as docker reads them. */
export interface DockerBuild {
  buildx: boolean;
  tags: string[];
  file?: string;
  context?: string;
  load: boolean;
  push: boolean;
  platforms: string[];
  outputs: string[];
  builder?: string;
  target?: string;
  /** `--build-arg` values as written: `KEY=VALUE`, or `KEY` (taken from the environment). */
  buildArgs: string[];
}

// Build flags that take a value (docker buildx build --help, v0.2x); every other flag is a switch.
const VALUE_FLAGS = new Set(
  ("-t --tag -f --file --platform -o --output --builder --build-arg --target --cache-from --cache-to --label " +
    "--secret --ssh --iidfile --metadata-file --network --progress --add-host --build-context --allow " +
    "--annotation --attest --shm-size --ulimit --cgroup-parent --isolation --memory -m --memory-swap " +
    "--cpu-shares -c --cpuset-cpus --cpuset-mems --cpu-period --cpu-quota --security-opt --policy --call")
    .split(" "),
);
const GLOBAL_VALUE_FLAGS = new Set(["--context", "-c", "-H", "--host", "--config", "-l", "--log-level", "--tlscacert", "--tlscert", "--tlskey"]);

export function parseDockerBuild(words: readonly string[]): DockerBuild | undefined {
  if (!/(^|\/)docker$/.test(words[0] ?? "")) return undefined;
  let i = 1;
  while (i < words.length && (words[i] ?? "").startsWith("-")) i += GLOBAL_VALUE_FLAGS.has(words[i] ?? "") ? 2 : 1;
  let buildx = false;
  let builder: string | undefined;
  if (words[i] === "build" || (words[i] === "image" && words[i + 1] === "build")) {
    i += words[i] === "image" ? 2 : 1;
  } else if (words[i] === "buildx") {
    i++;
    while ((words[i] ?? "").startsWith("-")) {
      const [flag, inline] = splitFlag(words[i] ?? "");
      if (flag === "--builder") builder = inline ?? words[++i];
      i++;
    }
    if (words[i] !== "build" && words[i] !== "b") return undefined;
    buildx = true;
    i++;
  } else return undefined;
  const b: DockerBuild = { buildx, tags: [], load: false, push: false, platforms: [], outputs: [], buildArgs: [] };
  if (builder !== undefined) b.builder = builder;
  const positional: string[] = [];
  for (; i < words.length; i++) {
    const w = words[i] ?? "";
    if (!w.startsWith("-") || w === "-") {
      positional.push(w);
      continue;
    }
    const [flag, inline] = splitFlag(w);
    const value = VALUE_FLAGS.has(flag) ? (inline ?? words[++i] ?? "") : undefined;
    if (flag === "-t" || flag === "--tag") b.tags.push(value ?? "");
    else if (flag === "-f" || flag === "--file") b.file = value ?? "";
    else if (flag === "--platform") b.platforms.push(...(value ?? "").split(",").filter(Boolean));
    else if (flag === "-o" || flag === "--output") b.outputs.push(value ?? "");
    else if (flag === "--builder") b.builder = value ?? "";
    else if (flag === "--load") b.load = inline === undefined || inline === "true";
    else if (flag === "--push") b.push = inline === undefined || inline === "true";
    else if (flag === "--target") b.target = value ?? "";
    else if (flag === "--build-arg") b.buildArgs.push(value ?? "");
  }
  const context = positional.at(-1);
  if (context !== undefined) b.context = context;
  return b;
}

function splitFlag(w: string): [string, string | undefined] {
  const eq = w.indexOf("=");
  return w.startsWith("--") && eq > 0 ? [w.slice(0, eq), w.slice(eq + 1)] : [w, undefined];
}

/** `make [-C dir] [-f file] [VAR=value...] [target...]`. */
export interface MakeCall {
  dir?: string;
  file?: string;
  targets: string[];
  overrides: Map<string, string>;
}

export function parseMake(words: readonly string[]): MakeCall | undefined {
  if (!/(^|\/)(g?make|\$\(MAKE\)|\$\{MAKE\})$/.test(words[0] ?? "")) return undefined;
  const call: MakeCall = { targets: [], overrides: new Map() };
  for (let i = 1; i < words.length; i++) {
    const w = words[i] ?? "";
    if (w === "-C" || w === "--directory") call.dir = words[++i] ?? "";
    else if (w.startsWith("-C") && w.length > 2) call.dir = w.slice(2);
    else if (w === "-f" || w === "--file" || w === "--makefile") call.file = words[++i] ?? "";
    else if (w.startsWith("--directory=")) call.dir = w.slice(12);
    else if (w.startsWith("--file=") || w.startsWith("--makefile=")) call.file = w.slice(w.indexOf("=") + 1);
    else if (w === "-j" || w === "-l" || w === "-o" || w === "-W") i++;
    else if (w.startsWith("-")) continue;
    else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) call.overrides.set(w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1));
    else call.targets.push(w);
  }
  return call;
}
