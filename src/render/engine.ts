import HandlebarsRuntime from "handlebars/runtime.js";
import { loadTemplates } from "./templates.js";

// Only the runtime: templates arrive precompiled (`templates.ts`), so the compiler never loads.
const Handlebars = HandlebarsRuntime as unknown as typeof import("handlebars");

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

let compiled: Map<string, Handlebars.TemplateDelegate> | undefined;
let scriptTexts: Record<string, string> | undefined;

/** A script of templates/scripts/, as it is (inlined into a workflow, or written as a file of its own). */
export function readScript(name: string): string {
  if (!scriptTexts) templates();
  const text = scriptTexts?.[name];
  if (text === undefined) throw new Error(`internal: no templates/scripts/${name}`);
  return text;
}

/**
 * One Handlebars environment for templates compiled `noEscape`, `strict` and with known helpers only
 * (`templates.ts`). Every value goes through `q` (a quoted YAML scalar) or is one of the few
 * pre-validated plain tokens (versions, SHAs). GitHub expressions are written `$\{{ ... }}` in templates
 * so Handlebars prints them as they are.
 */
function templates(): Map<string, Handlebars.TemplateDelegate> {
  if (compiled) return compiled;
  const env = Handlebars.create();
  const { specs, scripts } = loadTemplates();
  scriptTexts = scripts;
  compiled = new Map();
  // Every template is also a partial (`{{> gate-step}}`), so ci.yml and an edited workflow share one text.
  for (const [file, spec] of Object.entries(specs)) {
    const template = env.template(spec);
    compiled.set(file, template);
    env.registerPartial(file.replace(/\.hbs$/, ""), template);
  }
  env.registerHelper("q", (value: unknown) => yamlQuote(String(value)));
  env.registerHelper("script", (name: string, n: number) => {
    return indent(readScript(name), n);
  });
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
  return compiled;
}

/** Render `templates/<name>` with `data`. */
export function renderTemplate(name: string, data: object): string {
  const template = templates().get(name);
  if (!template) throw new Error(`internal: no templates/${name}`);
  // Partials indent their blank lines too; no line we write ends in white space.
  return template(data).replace(/[ \t]+$/gm, "");
}
