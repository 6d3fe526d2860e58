/**
 * Merge our Renovate config into one the user already has, without replacing it: our presets, rules
 * and custom managers are added (ours are found again by the first line of their description), and
 * a top-level key is added only when the user has none. The user's text is edited at offsets, so
 * their keys, comments, order, indentation and quoting stay as they were; the result is re-parsed
 * with the `json5` package (the parser Renovate itself uses for json5 configs) and must equal the
 * user's config plus exactly our additions.
 */
import { isDeepStrictEqual } from "node:util";
import JSON5 from "json5";
import { UserError } from "../errors.js";
import { ruleName } from "./config.js";
import { member, parseJson5, type ArrayNode, type Json, type Node, type ObjectNode } from "./json5-ast.js";
import { appendItems, applyEdits, detectStyle, lineIndent, serialize, type Edit, type Style } from "./json5-edit.js";

export { findRenovateConfigs, pickRenovateConfig, RenovateConfigConflict, RENOVATE_CONFIG_FILES } from "./locate.js";

export interface MergeOptions {
  /** What we rendered last time (from the state file): a rule of ours the user edited since is kept. */
  previous?: object;
}

export interface RenovateMergeResult {
  text: string;
  /** What we added or updated, one line each, for the plan. */
  added: string[];
  /** Where the user's value differs from ours and was kept. */
  kept: string[];
  /** The user's config as it was (for package.json, its "renovate" member), parsed once here. */
  user: Record<string, unknown>;
  /** How the plan names where that config is: the file, or `package.json "renovate"`. */
  where: string;
}

type JsonObject = { [key: string]: Json };

/** Keys about the whole file, which stays the user's. */
const WHOLE_FILE_KEYS = new Set(["$schema", "description"]);
/**
 * Presets of ours that only a config we own gets. `config:recommended` is Renovate's whole baseline
 * (Dependency Dashboard, schedules, grouping...): added to a user's `extends` it would change how
 * Renovate treats their whole repository, not just our rules (issue 13, item 8).
 */
export const OWN_FILE_ONLY = new Set(["config:recommended"]);
/** Presets that already include one of ours (Renovate's `config:best-practices` extends the other two). */
const IMPLIED_BY: Record<string, string[]> = {
  "config:recommended": ["config:base", "config:best-practices"],
  "docker:pinDigests": ["config:best-practices"],
};

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** Merge `ours` (renderRenovateConfig's object) into the Renovate config `text` found at `path`. */
export function mergeRenovateConfig(path: string, text: string, ours: object, opts: MergeOptions = {}): RenovateMergeResult {
  const isPackageJson = path === "package.json" || path.endsWith("/package.json");
  const where = isPackageJson ? `${path} "renovate"` : path;
  let original: unknown;
  try {
    original = JSON5.parse(text);
  } catch (err) {
    throw new UserError(`${path} does not parse (${(err as Error).message}); fix it, then re-run`);
  }
  const doc = parseJson5(text); // accepts whatever json5 accepts; a throw here is our bug
  const root = isPackageJson && doc.kind === "object" ? member(doc, "renovate")?.value : doc;
  const userConfig = isPackageJson && isObject(original) ? original.renovate : original;
  if (root?.kind !== "object" || !isObject(userConfig)) throw new UserError(`${where} is not a JSON object, so it is not a Renovate config`);

  const ctx: Ctx = {
    text,
    style: detectStyle(text, doc, path.endsWith(".json5")),
    edits: [],
    added: [],
    kept: [],
    expected: structuredClone(userConfig),
    previous: isObject(opts.previous) ? opts.previous : undefined,
  };
  const newMembers: [string, Json][] = [];
  for (const [key, all] of Object.entries(ours as JsonObject)) {
    if (WHOLE_FILE_KEYS.has(key)) continue;
    const value = key === "extends" && Array.isArray(all) ? all.filter((p) => !(typeof p === "string" && OWN_FILE_ONLY.has(p))) : all;
    const m = member(root, key);
    if (!m) {
      newMembers.push([key, value]);
      ctx.expected[key] = value;
      const names = Array.isArray(value) ? value.map(ruleName).filter((n) => n !== undefined) : [];
      ctx.added.push(names.length ? `${key}: added ${names.map((n) => `"${n}"`).join(", ")}` : `${key}: added ${JSON.stringify(value)}`);
    } else if (key === "extends") mergeExtends(ctx, m.value, value);
    else if (key === "packageRules" || key === "customManagers") mergeRules(ctx, key, m.value, value);
    else if (!isDeepStrictEqual(userConfig[key], value)) {
      ctx.kept.push(`${key}: kept yours (${JSON.stringify(userConfig[key])}); ours is ${JSON.stringify(value)}`);
    }
  }
  ctx.edits.push(...appendItems(text, root, newMembers, ctx.style));
  let merged = applyEdits(text, ctx.edits);
  // A second pass on the merged text, where our new members already follow the old key.
  if (ctx.previous) {
    const again = parseJson5(merged);
    const newRoot = isPackageJson && again.kind === "object" ? member(again, "renovate")?.value : again;
    if (newRoot?.kind === "object") merged = applyEdits(merged, dropOurOldKeys({ ...ctx, text: merged }, newRoot, userConfig, ours as JsonObject));
  }
  verify(path, text, merged, isPackageJson ? { ...(original as JsonObject), renovate: ctx.expected } : ctx.expected);
  return { text: merged, added: ctx.added, kept: ctx.kept, user: userConfig, where };
}

interface Ctx {
  text: string;
  style: Style;
  edits: Edit[];
  added: string[];
  kept: string[];
  /** The user's config plus what we add: what the merged text must parse to. */
  expected: JsonObject;
  previous?: JsonObject;
}

/**
 * A top-level key an earlier release of ours added and this one no longer does (the `labels` that
 * labelled every dependency PR, issue 13 item 8): removed when the user's value is still exactly ours,
 * kept (and said so) when they changed it. Only a member on lines of its own is cut, line and comma
 * with it; anything else is left for the user, with the reason.
 */
function dropOurOldKeys(ctx: Ctx, root: ObjectNode, userConfig: JsonObject, ours: JsonObject): Edit[] {
  const edits: Edit[] = [];
  const previous = ctx.previous;
  if (!previous) return edits;
  for (const key of Object.keys(previous)) {
    if (WHOLE_FILE_KEYS.has(key) || key in ours || !(key in userConfig)) continue;
    if (!isDeepStrictEqual(userConfig[key], previous[key])) {
      ctx.kept.push(`${key}: kept yours (${JSON.stringify(userConfig[key])}); relay-security no longer sets it`);
      continue;
    }
    const index = root.members.findIndex((m) => m.key === key);
    const m = root.members[index];
    const lineStart = m ? ctx.text.lastIndexOf("\n", m.keySpan.start - 1) + 1 : -1;
    const after = m ? (m.comma ?? m.value.end - 1) + 1 : -1;
    const eol = ctx.text.indexOf("\n", after);
    const prev = root.members[index - 1];
    const ownLines = m && /^[ \t]*$/.test(ctx.text.slice(lineStart, m.keySpan.start)) && eol >= 0 && /^[ \t]*\r?$/.test(ctx.text.slice(after, eol));
    if (!m || !ownLines || (m.comma === undefined && prev?.comma === undefined)) {
      ctx.kept.push(`${key}: an earlier relay-security release added ${JSON.stringify(previous[key])}, which this one no longer sets; remove it by hand`);
      continue;
    }
    edits.push({ at: lineStart, remove: eol + 1 - lineStart, insert: "" });
    // The last member goes: the one before it loses its comma (unless the file ends members with one).
    if (m.comma === undefined && prev?.comma !== undefined) edits.push({ at: prev.comma, remove: 1, insert: "" });
    delete ctx.expected[key];
    ctx.added.push(`${key}: removed ${JSON.stringify(previous[key])}, which an earlier relay-security release added`);
  }
  return edits;
}

function mergeExtends(ctx: Ctx, node: Node, ours: Json): void {
  const theirs = node.kind === "array" ? node.items.map((i) => i.value) : [node];
  if (!theirs.every((n) => n.kind === "scalar" && typeof n.value === "string")) throw new UserError(`"extends" must be a list of preset names`);
  const have = theirs.map((n) => (n as { value: string }).value);
  const missing = (ours as string[]).filter((p) => !have.includes(p) && !(IMPLIED_BY[p] ?? []).some((q) => have.includes(q)));
  if (!missing.length) return;
  ctx.expected.extends = [...have, ...missing];
  ctx.added.push(...missing.map((p) => `extends: added "${p}"`));
  if (node.kind === "array") ctx.edits.push(...appendItems(ctx.text, node, missing, ctx.style));
  else {
    // A single preset as a string (Renovate migrates it to a list): wrap it, keeping its text.
    const items = [ctx.text.slice(node.start, node.end), ...missing.map((p) => serialize(p, ctx.style, ""))];
    ctx.edits.push({ at: node.start, remove: node.end - node.start, insert: `[${items.join(", ")}]` });
  }
}

function mergeRules(ctx: Ctx, key: "packageRules" | "customManagers", node: Node, ours: Json): void {
  if (node.kind !== "array") throw new UserError(`"${key}" must be a list`);
  const list = ctx.expected[key] as Json[];
  const previous = ctx.previous?.[key];
  const append: Json[] = [];
  for (const rule of ours as Json[]) {
    const name = ruleName(rule) as string;
    const index = list.findIndex((r) => ruleName(r) === name);
    const item = (node as ArrayNode).items[index]?.value;
    if (index < 0 || !item) {
      append.push(rule);
      list.push(rule);
      ctx.added.push(`${key}: added "${name}"`);
      continue;
    }
    const current = list[index];
    if (isDeepStrictEqual(current, rule)) continue;
    const before = Array.isArray(previous) ? previous.find((r) => ruleName(r) === name) : undefined;
    if (before !== undefined && !isDeepStrictEqual(current, before)) {
      ctx.kept.push(`${key} "${name}": you changed it since we wrote it; kept yours (ours now: ${JSON.stringify(rule)})`);
      continue;
    }
    list[index] = rule;
    ctx.edits.push({ at: item.start, remove: item.end - item.start, insert: serialize(rule, ctx.style, lineIndent(ctx.text, item.start)) });
    ctx.added.push(`${key}: updated "${name}"`);
  }
  ctx.edits.push(...appendItems(ctx.text, node as ObjectNode | ArrayNode, append, ctx.style));
}

/** The merged text must parse, to exactly the user's document plus our additions; else it is our bug. */
function verify(path: string, before: string, after: string, expected: unknown): void {
  let got: unknown;
  try {
    got = JSON5.parse(after);
  } catch (err) {
    throw new Error(`internal error: merging into ${path} produced text that does not parse (${(err as Error).message})`);
  }
  if (!isDeepStrictEqual(got, expected)) throw new Error(`internal error: merging into ${path} changed more than our additions`);
  let strictBefore = true;
  try {
    JSON.parse(before);
  } catch {
    strictBefore = false;
  }
  if (strictBefore) JSON.parse(after); // a strict JSON file stays strict JSON
}
