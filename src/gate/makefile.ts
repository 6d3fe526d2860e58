import { posix } from "node:path";
import { commands, parseDockerBuild, parseMake, type DockerBuild, type MakeCall } from "./shell.js";

/**
 * Follow `make TARGET` into the Makefile far enough to find a `docker build` in its recipe (through
 * prerequisites and `$(MAKE) other`), with plain variables expanded. Make's own precedence: command-line
 * `VAR=x` beats the Makefile; the environment beats `?=` only. A variable the Makefile does not define
 * comes from the environment, so it is left as `${VAR}` for the shell resolver. Functions such as
 * `$(shell git rev-parse HEAD)` make the value unresolvable: it becomes `$(...)`, which the resolver rejects.
 */

export interface MakeBuild {
  makefile: string;
  target: string;
  build: DockerBuild;
  /** Plain assignments earlier in the same recipe line (`TAG=x; docker build -t $$TAG`). */
  vars: ReadonlyMap<string, string>;
}

interface Makefile {
  vars: Map<string, { op: string; value: string }>;
  rules: Map<string, { prereqs: string[]; recipe: string[] }>;
  firstTarget?: string;
}

export function parseMakefile(text: string): Makefile {
  const mk: Makefile = { vars: new Map(), rules: new Map() };
  const lines = text.replace(/\\\r?\n[ \t]*/g, " ").split(/\r?\n/);
  let current: string[] = [];
  for (const line of lines) {
    if (line.startsWith("\t")) {
      for (const t of current) mk.rules.get(t)?.recipe.push(line.slice(1));
      continue;
    }
    if (/^\s*(#|$)/.test(line)) continue;
    const assign = /^\s*(?:(?:export|override)\s+)*([A-Za-z_][A-Za-z0-9_.-]*)\s*(::=|:=|\?=|\+=|!=|=)\s*(.*?)\s*$/.exec(line);
    if (assign) {
      const [, name = "", op = "=", raw = ""] = assign;
      const value = stripComment(raw);
      const old = mk.vars.get(name);
      if (op === "+=") mk.vars.set(name, { op: old?.op ?? "=", value: old ? `${old.value} ${value}` : value });
      else if (op === "?=") {
        if (!old) mk.vars.set(name, { op, value });
      } else mk.vars.set(name, { op: op === "!=" ? "shell" : op, value });
      current = [];
      continue;
    }
    const rule = /^([^:#=]+?)\s*::?(?!=)\s*(.*)$/.exec(line);
    if (!rule) {
      current = [];
      continue;
    }
    const [, targetText = "", rest = ""] = rule;
    const [prereqText = "", inline] = stripComment(rest).split(";", 2);
    current = targetText.split(/\s+/).filter(Boolean);
    const targetVar = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*[:?+]?=/.test(prereqText);
    for (const t of current) {
      const r = mk.rules.get(t) ?? { prereqs: [], recipe: [] };
      if (!targetVar) r.prereqs.push(...prereqText.replace("|", " ").split(/\s+/).filter(Boolean));
      if (inline !== undefined && inline.trim()) r.recipe.push(inline.trim());
      mk.rules.set(t, r);
      if (mk.firstTarget === undefined && !t.startsWith(".")) mk.firstTarget = t;
    }
  }
  return mk;
}

/**
 * A line outside a recipe without its comment, as make reads it: a `#` ends the line wherever it is
 * (`LEVEL ?= 0 # why` is `0`: left in, the comment would reach the recipe's shell and cut the rest of
 * the command off), except escaped as `\#` or inside a variable reference or function call
 * (`$(shell grep '#' f)`), where make takes it literally.
 */
function stripComment(v: string): string {
  let depth = 0;
  for (let i = 0; i < v.length; i++) {
    const ch = v[i];
    if (ch === "\\") i++;
    else if (ch === "$" && (v[i + 1] === "(" || v[i + 1] === "{")) {
      depth++;
      i++;
    } else if (depth > 0 && (ch === "(" || ch === "{")) depth++;
    else if (depth > 0 && (ch === ")" || ch === "}")) depth--;
    else if (ch === "#" && depth === 0) return v.slice(0, i).replace(/\\#/g, "#").trimEnd();
  }
  return v.replace(/\\#/g, "#");
}

/** Expand make variables in `text`; `fromEnv` says whether the environment sets a variable. */
export function expand(text: string, mk: Makefile, overrides: Map<string, string>, fromEnv: (n: string) => boolean, target: string, depth = 0): string {
  if (depth > 10) return "$(unresolvable)";
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== "$") {
      out += ch;
      continue;
    }
    const next = text[i + 1] ?? "";
    if (next === "$") {
      out += "$";
      i++;
    } else if (next === "(" || next === "{") {
      const close = next === "(" ? ")" : "}";
      let level = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === next) level++;
        else if (text[j] === close && --level === 0) break;
      }
      const inner = text.slice(i + 2, j);
      out += variable(inner, mk, overrides, fromEnv, target, depth);
      i = j;
    } else {
      out += variable(next, mk, overrides, fromEnv, target, depth);
      i++;
    }
  }
  return out;
}

function variable(name: string, mk: Makefile, overrides: Map<string, string>, fromEnv: (n: string) => boolean, target: string, depth: number): string {
  if (name === "@") return target;
  if (name === "MAKE") return "make";
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) return "$(unresolvable)"; // a function call
  const override = overrides.get(name);
  if (override !== undefined) return override;
  const def = mk.vars.get(name);
  if (!def || (def.op === "?=" && fromEnv(name))) return `\${${name}}`;
  if (def.op === "shell") return "$(unresolvable)";
  return expand(def.value, mk, overrides, fromEnv, target, depth + 1);
}

/** The docker builds `make` would run for `call`, run from `cwd` (repo-relative). */
export function makeBuilds(call: MakeCall, cwd: string, readFile: (rel: string) => string | undefined, fromEnv: (n: string) => boolean): MakeBuild[] {
  const dir = posix.normalize(posix.join(cwd || ".", call.dir ?? "."));
  const names = call.file ? [call.file] : ["GNUmakefile", "makefile", "Makefile"];
  for (const name of names) {
    const path = posix.normalize(posix.join(dir, name));
    const text = readFile(path);
    if (text === undefined) continue;
    const mk = parseMakefile(text);
    const found: MakeBuild[] = [];
    const seen = new Set<string>();
    const visit = (target: string, depth: number) => {
      if (seen.has(target) || depth > 4) return;
      seen.add(target);
      const rule = mk.rules.get(target);
      if (!rule) return;
      for (const p of rule.prereqs) visit(p, depth + 1);
      for (const raw of rule.recipe) {
        const line = expand(raw.replace(/^[@+-]+/, ""), mk, call.overrides, fromEnv, target);
        for (const cmd of commands(line)) {
          const build = parseDockerBuild(cmd.words);
          if (build) found.push({ makefile: path, target, build, vars: cmd.vars });
          const sub = parseMake(cmd.words);
          if (sub && sub.dir === undefined && sub.file === undefined) for (const t of sub.targets) visit(t, depth + 1);
        }
      }
    };
    const goals = call.targets.length > 0 ? call.targets : mk.firstTarget ? [mk.firstTarget] : [];
    for (const goal of goals) visit(goal, 0);
    return found.map((f) => ({ ...f, build: relativeTo(f.build, posix.relative(".", dir) || ".") }));
  }
  return [];
}

/** Paths in a recipe are relative to the Makefile's directory; make them repo-relative like a step's. */
function relativeTo(b: DockerBuild, dir: string): DockerBuild {
  if (dir === ".") return b;
  const out = { ...b };
  if (b.file !== undefined && !b.file.startsWith("/")) out.file = posix.join(dir, b.file);
  if (b.context !== undefined && !b.context.startsWith("/")) out.context = posix.join(dir, b.context);
  else if (b.context === undefined) out.context = dir;
  return out;
}
