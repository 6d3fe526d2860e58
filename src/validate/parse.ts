import { parseYamlOnce } from "../yaml-once.js";
import type { Finding } from "../types.js";

/** Every YAML and JSON file we write must parse; the finding names the line. */
export function lintParse(path: string, text: string): Finding[] {
  if (/\.ya?ml$/.test(path)) {
    const { doc, lines } = parseYamlOnce(text);
    return doc.errors.map((e) => ({
      file: path,
      line: lines.linePos(e.pos[0]).line,
      rule: "yaml-parse",
      message: e.message.split("\n")[0] ?? e.message,
      severity: "error" as const,
    }));
  }
  if (/\.json$/.test(path) || path.endsWith(".renovaterc")) {
    try {
      // A leading BOM is not part of the JSON text (RFC 8259 lets a parser ignore it; JSON.parse does not).
      JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (error) {
      return [{ file: path, rule: "json-parse", message: (error as Error).message, severity: "error" }];
    }
  }
  return [];
}
