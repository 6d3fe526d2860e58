import { shown } from "../fsguard.js";
import type { Finding } from "../types.js";
import { isPast, parseDay, parseDayOrTimestamp } from "./dates.js";
import { implausibleIdReason } from "./vuln-id.js";

/** Options shared by both ignore-file linters. */
export interface TrivyignoreLintOptions {
  /** IDs a dry-run scan reported (before ignores); an entry matching none of them is stale. */
  matchedIds?: Set<string>;
}

/** One ignore entry as both file formats see it, with where to report each part. */
export interface IgnoreEntry {
  id: string;
  line: number;
  /** The WHY text (`# WHY:` or `statement`); undefined when there is none. */
  why?: string;
  /** The raw `TODO(...)` date text; undefined when there is no TODO. */
  todo?: string;
  /** The raw expiry (`exp:` value or `expired_at`); undefined when there is none. */
  exp?: string;
  expLine: number;
  /** Whether `id` should look like a vulnerability ID (not for misconfig/secret/license lists). */
  checkId: boolean;
}

const WHY = /^#\s*WHY\s*:\s*(.*)$/i;
export const TODO = /TODO\s*\(([^)]*)\)/i;

/**
 * What differs between the line-based ignore files that share this rule: `.trivyignore` (read by
 * Trivy) and `.govulncheckignore` (read by our rescan script, src/validate/govulncheckignore.ts).
 */
export interface IgnoreDialect {
  /** Rule prefix of the findings (`trivyignore/why`). */
  rule: string;
  /** What happens to a line whose `exp:` is malformed, for the message. */
  malformedExp(id: string): string;
  /** The ID check; undefined when the ID is fine. */
  idProblem(id: string): string | undefined;
  /** Who stops honouring an expired entry, for the message. */
  expiresBy: string;
  /** What an entry without `exp:` does, for the message. */
  noExp: string;
}

export const TRIVY_DIALECT: IgnoreDialect = {
  rule: "trivyignore",
  malformedExp: (id) => `Trivy logs a warning and silently drops this line, so ${id} is NOT ignored`,
  idProblem: (id) => implausibleIdReason(id),
  expiresBy: "Trivy expires entries at 00:00 UTC on their date",
  noExp: "so Trivy would ignore it forever",
};

/**
 * Lint a `.trivyignore`: every active entry needs `# WHY:` and `# TODO(YYYY-MM-DD):` in the comment
 * block directly above it (no blank line between, and the block belongs to that one entry), and
 * `exp:YYYY-MM-DD` on its own line. See the `.trivyignore` rule in PRODUCT.md.
 */
export function lintTrivyignore(path: string, text: string, now: Date, opts: TrivyignoreLintOptions = {}): Finding[] {
  return lintIgnoreLines(path, text, now, opts, TRIVY_DIALECT);
}

/** The line format both `.trivyignore` and `.govulncheckignore` use: comment block, then `ID exp:DATE`. */
export function lintIgnoreLines(path: string, text: string, now: Date, opts: TrivyignoreLintOptions, dialect: IgnoreDialect): Finding[] {
  const findings: Finding[] = [];
  let block: string[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") block = [];
    else if (line.startsWith("#")) block.push(line);
    else {
      findings.push(...checkEntry(path, entryFromLine(line, i + 1, block), now, opts, false, dialect));
      block = [];
    }
  });
  return findings;
}

function entryFromLine(line: string, lineNo: number, block: string[]): IgnoreEntry {
  // Trivy: the first field is the ID; the first field starting `exp:` (any field) is the expiry.
  const fields = line.split(/\s+/);
  const why = lastDefined(block.map((c) => WHY.exec(c)?.[1]));
  const todo = lastDefined(block.map((c) => (/^#\s*TODO\b/i.test(c) ? (TODO.exec(c)?.[1] ?? "") : undefined)));
  const exp = fields.find((f) => f.startsWith("exp:"))?.slice(4);
  return { id: fields[0] ?? "", line: lineNo, why, todo, exp, expLine: lineNo, checkId: true };
}

function lastDefined<T>(items: (T | undefined)[]): T | undefined {
  return items.filter((x): x is T => x !== undefined).pop();
}

/** The checks both formats share; `yaml` switches the wording to that format's field names. */
export function checkEntry(path: string, raw: IgnoreEntry, now: Date, opts: TrivyignoreLintOptions, yaml = false, dialect = TRIVY_DIALECT): Finding[] {
  const out: Finding[] = [];
  // The file may be anyone's (a pull request can add it): its text reaches messages only as a bounded prefix.
  const e = { ...raw, id: shown(raw.id), ...(raw.todo === undefined ? {} : { todo: shown(raw.todo) }), ...(raw.exp === undefined ? {} : { exp: shown(raw.exp) }) };
  const add = (rule: string, severity: Finding["severity"], message: string, hint?: string, line = e.line) =>
    out.push({ file: path, line, rule: `${dialect.rule}/${rule}`, severity, message, ...(hint ? { hint } : {}) });
  const whyName = yaml ? "statement" : "# WHY:";
  const expName = yaml ? "expired_at" : "exp:";

  if (e.why === undefined) {
    add("why", "error", `${e.id}: no ${whyName} saying why it is ignored`, yaml ? "statement: <why this is not exploitable here>" : "add `# WHY: <reason>` in the comment block directly above the entry");
  } else if (e.why.trim() === "") {
    add("why", "error", `${e.id}: ${whyName} is empty`);
  }

  const todoMs = raw.todo === undefined ? undefined : parseDay(raw.todo.trim());
  if (e.todo === undefined) {
    add("todo", "error", `${e.id}: no TODO(YYYY-MM-DD) revisit date`, yaml ? "put `TODO(YYYY-MM-DD): ...` in statement or in a comment above the entry" : "add `# TODO(YYYY-MM-DD): <what to check>` directly above the entry");
  } else if (todoMs === undefined) {
    add("todo", "error", e.todo.trim() === "" ? `${e.id}: TODO has no (YYYY-MM-DD) date` : `${e.id}: TODO date "${e.todo}" is not a valid YYYY-MM-DD date`);
  }

  // `.trivyignore` is Go's "2006-01-02" layout only; yaml.v3 also takes an RFC 3339 timestamp.
  const expMs = raw.exp === undefined ? undefined : yaml ? parseDayOrTimestamp(raw.exp) : parseDay(raw.exp);
  if (e.exp === undefined) {
    add("exp", "error", `${e.id}: no ${expName} expiry, ${yaml ? TRIVY_DIALECT.noExp : dialect.noExp}`, yaml ? "expired_at: YYYY-MM-DD" : `${e.id} exp:YYYY-MM-DD`);
  } else if (expMs === undefined) {
    const consequence = yaml
      ? "Trivy refuses to load the whole ignore file (fatal error)"
      : dialect.malformedExp(e.id);
    add("exp", "error", `${e.id}: malformed ${expName} "${e.exp}" (want YYYY-MM-DD): ${consequence}`, undefined, e.expLine);
  } else if (isPast(expMs, now)) {
    add("expired", "error", `${e.id}: expired ${e.exp} (${dialect.expiresBy}) and no longer suppresses the finding; fix it, or renew with a new WHY and date`, undefined, e.expLine);
  } else if (todoMs !== undefined && todoMs <= now.getTime()) {
    add("revisit-due", "warning", `${e.id}: revisit was due ${e.todo?.trim()} (still suppressed until ${e.exp})`);
  }

  const idProblem = e.checkId ? dialect.idProblem(raw.id) : undefined;
  if (raw.id === "") add("id", "error", "entry has no id");
  else if (idProblem) add("id", "error", idProblem);
  else if (opts.matchedIds && !opts.matchedIds.has(raw.id)) {
    add("unmatched", "warning", `${e.id}: matches no finding in the current scan; remove the entry if the fix has landed`);
  }
  return out;
}
