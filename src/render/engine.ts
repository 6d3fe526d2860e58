import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";

/** The templates folder, next to `src/` in the repo and next to `dist/` in the package. */
export const TEMPLATES_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

/**
 * A YAML scalar that means exactly `value`: single-quoted, with `'` doubled.
 * Values are validated before they get here (no newlines), so single quotes are always safe.
 */
export function yamlQuote(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`internal: a value with a newline reached the template: ${JSON.stringify(value)}`);
  return `'${value.replace(/'/g, "''")}'`;
}

/** Indent every non-empty line of `text` by `n` spaces (for script files inlined as YAML block scalars). */
export function indent(text: string, n: number): string {
  const pad = " ".repeat(n);
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => (line === "" ? "" : pad + line))
    .join("\n");
}

/** A script of templates/scripts/, as it is (inlined into a workflow, or written as a file of its own). */
export function readScript(name: string): string {
  const text = readFileSync(`${TEMPLATES_DIR}scripts/${name}`, "utf8");
  // A `{{` in a script would be read by GitHub as an expression if it were `${{`; keep scripts free of both.
  if (text.includes("{{")) throw new Error(`internal: templates/scripts/${name} contains "{{"`);
  return text;
}

let env: typeof Handlebars | undefined;

/**
 * One Handlebars environment: `noEscape` (we write YAML, not HTML), `strict` (a missing value is an error,
 * not an empty string) and known helpers only. Every value goes through `q` (a quoted YAML scalar) or is
 * one of the few pre-validated plain tokens (versions, SHAs). GitHub expressions are written `$\{{ ... }}`
 * in templates so Handlebars prints them as they are.
 */
function handlebars(): typeof Handlebars {
  if (env) return env;
  env = Handlebars.create();
  // Every template is also a partial (`{{> gate-step}}`), so ci.yml and an edited workflow share one text.
  for (const file of readdirSync(TEMPLATES_DIR)) {
    if (file.endsWith(".hbs")) env.registerPartial(file.replace(/\.hbs$/, ""), readFileSync(`${TEMPLATES_DIR}${file}`, "utf8"));
  }
  env.registerHelper("q", (value: unknown) => yamlQuote(String(value)));
  env.registerHelper("script", (name: string, n: number) => indent(readScript(name), n));
  env.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  env.registerHelper("join", (list: unknown[], sep: string) => list.join(sep));
  // `{{uses "owner/repo"}}` prints `owner/repo@<sha> # <tag>` from the pins data in the view, so a
  // template cannot name an action without pinning it.
  env.registerHelper("uses", (action: string, options: Handlebars.HelperOptions) => {
    const pins = (options.data.root as { pins?: Record<string, { sha: string; tag: string }> }).pins;
    const pin = pins?.[action];
    if (!pin) throw new Error(`internal: no pin for ${action} in data/pins.json`);
    return `${action}@${pin.sha} # ${pin.tag}`;
  });
  return env;
}

const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** Render `templates/<name>` with `data`. */
export function renderTemplate(name: string, data: object): string {
  let template = compiled.get(name);
  if (!template) {
    const source = readFileSync(`${TEMPLATES_DIR}${name}`, "utf8");
    template = handlebars().compile(source, {
      noEscape: true,
      strict: true,
      knownHelpers: { q: true, script: true, eq: true, join: true, uses: true },
      knownHelpersOnly: true,
    });
    compiled.set(name, template);
  }
  // Partials indent their blank lines too; no line we write ends in white space.
  return template(data).replace(/[ \t]+$/gm, "");
}
