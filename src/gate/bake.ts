import { posix } from "node:path";
import { isRecord } from "./locate.js";
import { splitList, usesAction } from "./shapes.js";
import type { Command } from "./shell.js";

/**
 * Just enough of a buildx bake file (docker-bake.hcl or .json) to know what a `docker buildx bake` or
 * bake-action step builds: each target's context, dockerfile (relative to its context, as bake reads
 * it), target stage, args and platforms, with `inherits` merged and `${VAR}` taken from `variable`
 * defaults. Functions and expressions beyond `${VAR}` stay as text, and count as unknown.
 */
export interface BakeTarget {
  context: string;
  dockerfile: string;
  target?: string;
  args: Record<string, string>;
  platforms: string[];
}

type Value = string | string[] | Record<string, string>;
interface Block {
  kind: string;
  name: string;
  attrs: Record<string, Value>;
}

function tokens(text: string): string[] {
  const out: string[] = [];
  const re = /\s+|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/|"((?:[^"\\]|\\.)*)"|[{}[\]=,:]|[^\s{}[\]=,:"#]+/g;
  for (const m of text.matchAll(re)) {
    const t = m[0];
    if (/^\s|^#|^\/\/|^\/\*/.test(t)) continue;
    out.push(m[1] !== undefined ? `"${m[1].replace(/\\(.)/g, "$1")}` : t);
  }
  return out;
}

function parseHcl(text: string): Block[] {
  const t = tokens(text);
  let i = 0;
  const str = (s: string | undefined) => (s?.startsWith('"') ? s.slice(1) : (s ?? ""));
  const value = (): Value => {
    const tok = t[i++];
    if (tok === "[") {
      const list: string[] = [];
      while (i < t.length && t[i] !== "]") {
        if (t[i] === ",") i++;
        else list.push(str(t[i++]));
      }
      i++;
      return list;
    }
    if (tok === "{") {
      const map: Record<string, string> = {};
      while (i < t.length && t[i] !== "}") {
        if (t[i] === ",") {
          i++;
          continue;
        }
        const key = str(t[i++]);
        if (t[i] === "=" || t[i] === ":") i++;
        const v = value();
        map[key] = Array.isArray(v) ? v.join(",") : typeof v === "string" ? v : "";
      }
      i++;
      return map;
    }
    return str(tok);
  };
  const blocks: Block[] = [];
  while (i < t.length) {
    const kind = t[i++] ?? "";
    const name = t[i]?.startsWith('"') ? str(t[i++]) : "";
    if (t[i] !== "{") continue;
    i++;
    const attrs: Record<string, Value> = {};
    while (i < t.length && t[i] !== "}") {
      const key = str(t[i++]);
      if (t[i] === "=") i++;
      attrs[key] = value();
    }
    i++;
    blocks.push({ kind, name, attrs });
  }
  return blocks;
}

function blocksOf(path: string, text: string): Block[] {
  if (!path.endsWith(".json")) return parseHcl(text);
  try {
    const data = JSON.parse(text) as Record<string, Record<string, Record<string, Value>>>;
    return Object.entries(data).flatMap(([kind, named]) => Object.entries(named ?? {}).map(([name, attrs]) => ({ kind, name, attrs })));
  } catch {
    return [];
  }
}

/** The targets `names` (default: the `default` group, else a target named default) build. */
export function bakeTargets(path: string, text: string, names: string[], env: Record<string, string>): BakeTarget[] {
  const blocks = blocksOf(path, text);
  const vars: Record<string, string> = {};
  for (const b of blocks) if (b.kind === "variable" && typeof b.attrs["default"] === "string") vars[b.name] = b.attrs["default"];
  const sub = (v: string) => v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (all, n: string) => env[n] ?? vars[n] ?? all);
  const byName = (kind: string, n: string) => blocks.find((b) => b.kind === kind && b.name === n);
  const expand = (n: string, depth = 0): string[] => {
    const group = byName("group", n);
    if (group && depth < 8) return (Array.isArray(group.attrs["targets"]) ? group.attrs["targets"] : []).flatMap((x) => expand(x, depth + 1));
    return byName("target", n) ? [n] : [];
  };
  const resolve = (n: string, depth = 0): Record<string, Value> => {
    const b = byName("target", n);
    if (!b || depth > 8) return {};
    const parents = Array.isArray(b.attrs["inherits"]) ? b.attrs["inherits"] : [];
    const merged: Record<string, Value> = {};
    for (const p of parents) Object.assign(merged, resolve(p, depth + 1));
    const args = { ...(merged["args"] as Record<string, string> | undefined), ...(b.attrs["args"] as Record<string, string> | undefined) };
    return { ...merged, ...b.attrs, args };
  };
  const wanted = [...new Set((names.length > 0 ? names : ["default"]).flatMap((n) => expand(n)))];
  return wanted.map((n) => {
    const a = resolve(n);
    const context = sub(typeof a["context"] === "string" ? a["context"] : ".");
    const out: BakeTarget = {
      context: posix.normalize(context),
      dockerfile: posix.normalize(posix.join(context, sub(typeof a["dockerfile"] === "string" ? a["dockerfile"] : "Dockerfile"))),
      args: Object.fromEntries(Object.entries((a["args"] as Record<string, string>) ?? {}).map(([k, v]) => [k, sub(v)])),
      platforms: (Array.isArray(a["platforms"]) ? a["platforms"] : []).map(sub),
    };
    if (typeof a["target"] === "string") out.target = sub(a["target"]);
    return out;
  });
}

const BAKE_FILES = ["docker-bake.json", "docker-bake.hcl", "docker-bake.override.hcl"];

/** The bake files and targets of a bake-action step or a `docker buildx bake` command among `cmds`, the step's script split by `commands`. */
export function bakeCallOf(step: Record<string, unknown>, cmds: readonly Command[]): { files: string[]; targets: string[] } | undefined {
  if (usesAction(step["uses"], "docker/bake-action")) {
    const w = isRecord(step["with"]) ? step["with"] : {};
    const files = splitList(String(w["files"] ?? ""));
    return { files: files.length > 0 ? files.map((f) => f.replace(/^\.\//, "")) : BAKE_FILES, targets: splitList(String(w["targets"] ?? "")) };
  }
  for (const cmd of cmds) {
    const [docker, buildx, bake, ...rest] = cmd.words;
    if (!/(^|\/)docker$/.test(docker ?? "") || buildx !== "buildx" || bake !== "bake") continue;
    const files: string[] = [];
    const targets: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const w = rest[i] ?? "";
      if (w === "-f" || w === "--file") files.push((rest[++i] ?? "").replace(/^\.\//, ""));
      else if (w.startsWith("--file=")) files.push(w.slice(7).replace(/^\.\//, ""));
      else if (w === "--set" || w === "--progress" || w === "--builder" || w === "--metadata-file") i++;
      else if (!w.startsWith("-")) targets.push(w);
    }
    return { files: files.length > 0 ? files : BAKE_FILES, targets };
  }
  return undefined;
}
