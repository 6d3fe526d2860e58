/** govulncheck's `-format json` output: a stream of indented objects, not one document. */
export type GovulnMessage = {
  finding?: { osv: string; trace: { function?: string; package?: string; module?: string; version?: string }[] };
  osv?: { id: string; aliases?: string[] };
  config?: unknown;
};

export function jsonStream(text: string): GovulnMessage[] {
  const out: GovulnMessage[] = [];
  let depth = 0, start = -1, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" && depth++ === 0) start = i;
    else if (c === "}" && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)) as GovulnMessage);
  }
  return out;
}
