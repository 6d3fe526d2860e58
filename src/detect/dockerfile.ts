import type { DockerfileInfo, FromArg } from "../types.js";

/** One instruction: its keyword, its arguments, and the 1-based line it starts on. */
interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  /** The image as written, and as Docker reads it once the ARGs before the first FROM are expanded. */
  written: string;
  image: string;
  name?: string;
  body: Instruction[];
}

/** Split into instructions: a BOM and CRLF dropped, `\` continuations joined, comments skipped. */
function instructions(text: string): Instruction[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const out: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i] ?? "";
    if (/^\s*#/.test(logical) || logical.trim() === "") continue;
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? "";
      // Comment lines inside a continuation are dropped by Docker, not ended on.
      if (!/^\s*#/.test(next)) logical = logical.replace(/\\\s*$/, " ") + next;
    }
    const m = /^\s*(\S+)\s*(.*)$/.exec(logical);
    if (m) out.push({ keyword: (m[1] as string).toUpperCase(), args: (m[2] as string).trim(), line: start + 1 });
  }
  return out;
}

/** `ARG A=1 B="2" C` -> [A, "1"], [B, "2"], [C, undefined]. */
function argDefinitions(args: string): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=("([^"]*)"|'([^']*)'|(\S*)))?/g)) {
    out.push([m[1] as string, m[2] === undefined ? undefined : (m[3] ?? m[4] ?? m[5] ?? "")]);
  }
  return out;
}

/**
 * Docker's substitution in FROM (docs.docker.com "Environment replacement"): `$X`, `${X}`, `${X:-word}`,
 * `${X-word}`, `${X:+word}`, `${X+word}`. An unknown variable expands to the empty string, as Docker does.
 */
export function expandArgs(value: string, args: Map<string, string | undefined>): string {
  return value.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_all, braced?: string, op?: string, word?: string, bare?: string) => {
    const name = (braced ?? bare) as string;
    const v = args.get(name);
    const set = op?.startsWith(":") ? v !== undefined && v !== "" : v !== undefined;
    if (op?.endsWith("-")) return set ? (v as string) : (word ?? "");
    if (op?.endsWith("+")) return set ? (word ?? "") : "";
    return v ?? "";
  });
}

/** A default that is there to be replaced (`ARG BUILD_IMAGE=placeholder`, `PLEASE_PROVIDE_GO_VERSION`). */
export const isPlaceholder = (v: string | undefined) =>
  v === undefined || v === "" || /placeholder|please[_-]?provide|change[_-]?me|replace[_-]?me|^<.*>$|^todo$|^x+$/i.test(v);

function stagesOf(all: Instruction[], args: Map<string, string | undefined>): Stage[] {
  const out: Stage[] = [];
  for (const ins of all) {
    if (ins.keyword === "FROM") {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(ins.args);
      if (!m?.[1]) continue;
      const written = m[1];
      let image = expandArgs(written, args);
      // `FROM base` where base is an earlier stage: Docker builds on that stage, so its image is what ships.
      const parent = out.find((s) => s.name === image.toLowerCase());
      if (parent) image = parent.image;
      out.push({ written, image, ...(m[2] ? { name: m[2].toLowerCase() } : {}), body: [] });
    } else out.at(-1)?.body.push(ins);
  }
  return out;
}

// A clone of the source inside the build (`RUN git clone --branch main https://github.com/o/r.git`), or an
// ADD of a git URL: what it builds is that remote branch, not the checkout the build context holds.
const GIT_CLONE = /\bgit\s+clone\b/;
const GIT_URL = /^(?:--\S+\s+)*(?:https?:\/\/\S+\.git\b|git@|\S+\.git#)/;

const goVersionOf = (image: string) => /(?:^|\/)golang:(\d+\.\d+(?:\.\d+)?)/.exec(image)?.[1];
const GO_BUILD = /\b(go\s+(build|install)|goreleaser|make)\b/;

/**
 * What a Dockerfile tells us: the final stage's base image (what Trivy's OS scan sees), the builder's Go
 * version (the standard library compiled into the binary comes from it, not from go.mod), the ARGs its
 * FROM lines need, and whether the final stage copies a binary that no stage builds (goreleaser style:
 * it cannot be built from a clean checkout). `buildArgs` are the values CI passes (`--build-arg`).
 */
export function parseDockerfile(path: string, text: string, buildArgs: Record<string, string> = {}): DockerfileInfo {
  const all = instructions(text);
  const firstFrom = all.findIndex((i) => i.keyword === "FROM");
  const args = new Map<string, string | undefined>();
  const declared: [string, string | undefined][] = [];
  for (const ins of firstFrom < 0 ? [] : all.slice(0, firstFrom)) {
    if (ins.keyword !== "ARG") continue;
    for (const [name, value] of argDefinitions(ins.args)) {
      declared.push([name, value]);
      args.set(name, buildArgs[name] ?? value);
    }
  }
  const stages = stagesOf(all, args);
  const final = stages.at(-1);
  const copyFrom = new Set(final?.body.filter((i) => i.keyword === "COPY").flatMap((i) => [.../--from=(\S+)/i.exec(i.args)?.slice(1) ?? []]).map((s) => s.toLowerCase()));
  const golang = stages.filter((s) => goVersionOf(s.image));
  const builder = golang.find((s) => s.name && copyFrom.has(s.name)) ?? golang[0];
  const compiles = stages.some((s) => goVersionOf(s.image) || s.body.some((i) => i.keyword === "RUN" && GO_BUILD.test(i.args)));
  // From the context: a COPY or ADD without --from whose source is no URL. The final stage's first, else
  // a builder's (coredns: `COPY coredns /coredns` in a debian stage that setcaps it, then COPY --from).
  const fromContext = (i: Instruction) => (i.keyword === "COPY" || i.keyword === "ADD") && !/--from=/i.test(i.args) && !(i.keyword === "ADD" && (GIT_URL.test(i.args) || /^(?:--\S+\s+)*https?:\/\//.test(i.args)));
  const contextCopy = final?.body.find(fromContext) ?? stages.flatMap((s) => s.body).find(fromContext);
  // Whether any stage reads the build context: such a COPY or ADD, or a RUN that bind-mounts it.
  const readsContext = contextCopy !== undefined || stages.some((s) => s.body.some((i) => i.keyword === "RUN" && /--mount=(?=[^\s]*type=bind)(?![^\s]*from=)/.test(i.args)));
  const clone = readsContext ? undefined : stages.flatMap((s) => s.body).find((i) => (i.keyword === "RUN" && GIT_CLONE.test(i.args)) || (i.keyword === "ADD" && GIT_URL.test(i.args)));
  const uses = stages.flatMap((s) => [...s.written.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)(:?-)?/g)]);
  const used = new Set(uses.map((m) => m[1] as string));
  // `${X:-1.26}` in FROM carries its own default, so an empty X is no placeholder there.
  const defaulted = new Set(uses.filter((m) => m[2]).map((m) => m[1] as string));
  const fromArgs: FromArg[] = declared
    .filter(([name]) => used.has(name))
    .map(([name, value]) => ({ name, ...(value !== undefined ? { default: value } : {}), placeholder: isPlaceholder(value) && !defaulted.has(name), ...(buildArgs[name] !== undefined ? { given: buildArgs[name] } : {}) }));
  const prebuilt = final !== undefined && !compiles && contextCopy !== undefined;
  const sources = [...new Set(stages.flatMap((st) => st.body.filter(fromContext)).flatMap((i) => copySources(i.args)))];
  return {
    path,
    finalBaseImage: final?.image,
    builderGoVersion: builder ? goVersionOf(builder.image) : undefined,
    copiesPrebuiltBinary: prebuilt,
    ...(prebuilt && contextCopy ? { prebuiltCopy: { line: contextCopy.line, text: `${contextCopy.keyword} ${contextCopy.args}` } } : {}),
    ...(fromArgs.length > 0 ? { fromArgs } : {}),
    ...(final !== undefined && !readsContext ? { readsNoContext: true } : {}),
    ...(clone ? { clonesSource: { line: clone.line, text: `${clone.keyword} ${clone.args}` } } : {}),
    ...(sources.length > 0 ? { contextSources: sources } : {}),
  };
}

/**
 * The context paths a COPY or ADD reads, as written (`./nats-server/`), without its flags and its
 * destination. A glob stands for its folder (`cmd/*.go` is `cmd/`), one with no folder for the whole
 * context (`.`); a source with a variable or a heredoc is left out (nothing to look for).
 */
export function copySources(args: string): string[] {
  const rest = args.replace(/^(?:--[a-z-]+(?:=\S*)?\s+)*/i, "").trim();
  let words: string[];
  if (rest.startsWith("[")) {
    try {
      const list: unknown = JSON.parse(rest);
      words = Array.isArray(list) ? list.filter((w): w is string => typeof w === "string") : [];
    } catch {
      return [];
    }
  } else words = rest.split(/\s+/).filter(Boolean);
  return words.slice(0, -1).flatMap((w) => {
    if (w.includes("$") || w.startsWith("<<")) return [];
    const glob = w.search(/[*?[]/);
    if (glob < 0) return [w];
    const dir = w.slice(0, glob).replace(/[^/]*$/, "");
    return [dir || "."];
  });
}
