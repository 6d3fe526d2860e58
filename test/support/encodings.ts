/**
 * The three spellings of the same text every rule is tested on (DEVELOPERS.md: every rule gets a CRLF
 * case and a BOM case; a non-UTF-8 case needs bytes, so each test writes its own).
 */
export const TEXT_VARIANTS: [name: string, encode: (t: string) => string][] = [
  ["LF", (t) => t],
  ["CRLF", (t) => t.replace(/\n/g, "\r\n")],
  ["a BOM", (t) => `\uFEFF${t}`],
];
