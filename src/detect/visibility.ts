/**
 * Is the repository public? There is no API call here (set-up works offline), so this only reads what
 * the working tree says (issue 20 item 8). An open-source licence file is the one strong sign of a public
 * repository; nothing in a clone proves it private, so the answer is "public" or "unknown", never "private".
 */
export type Visibility = { kind: "public"; why: string } | { kind: "unknown" };

/** Licence files GitHub's licence detection reads (licensee's file names), repo-relative. */
export const LICENCE_FILES = ["LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "COPYING", "COPYING.md", "UNLICENSE"] as const;

/** The opening words of common open-source licences, with the name to print (SPDX identifiers). */
const OPEN_SOURCE: [RegExp, string][] = [
  [/\bApache License\b[\s\S]{0,80}\bVersion 2\.0\b/i, "Apache-2.0"],
  [/\bMIT License\b|\bPermission is hereby granted, free of charge\b/i, "MIT"],
  [/\bMozilla Public License\b/i, "MPL-2.0"],
  [/\bGNU (?:AFFERO |LESSER )?GENERAL PUBLIC LICENSE\b/i, "GPL family"],
  [/\bRedistribution and use in source and binary forms\b/i, "BSD"],
  [/\bPermission to use, copy, modify, and\/or distribute this software\b/i, "ISC"],
  [/\bThis is free and unencumbered software released into the public domain\b/i, "Unlicense"],
];

export function detectVisibility(readFile: (rel: string) => string | undefined): Visibility {
  for (const file of LICENCE_FILES) {
    const text = readFile(file);
    if (text === undefined) continue;
    const hit = OPEN_SOURCE.find(([re]) => re.test(text.slice(0, 4000)));
    if (hit) return { kind: "public", why: `${file} is an open-source licence (${hit[1]})` };
  }
  return { kind: "unknown" };
}
