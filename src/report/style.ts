import { styleText } from "node:util";
import type { Finding } from "../types.js";

/**
 * (`validateStream: false`: the decision is ours, made once in styleFor; styleText would otherwise look at
 * process.stdout again and drop the colour FORCE_COLOR asked for on a pipe.)
 *
 * How text is drawn: decided once in `cli.ts` from the terminal and the environment, passed to the pure
 * renderers (tests call them with any width or colour). PLAIN is what a pipe, a file or a script gets.
 */
export interface Style {
  /** ANSI colour (styleText). */
  color: boolean;
  /** ✔ ▲ ✖ marks in front of findings. */
  marks: boolean;
  /** Wrap long findings to this many columns; undefined: never wrap. */
  width?: number;
}

export const PLAIN: Style = { color: false, marks: false };

/**
 * The terminal's style. NO_COLOR (any value but empty) turns colour off, FORCE_COLOR (not "0") on, even on
 * a pipe; TERM=dumb has no colour. A terminal reporting 0 columns (some CI consoles, serial lines) is 80.
 */
export function styleFor(env: Record<string, string | undefined>, out: { isTTY?: boolean; columns?: number }): Style {
  const tty = Boolean(out.isTTY);
  const dumb = env.TERM === "dumb";
  const force = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  const forceOff = env.FORCE_COLOR === "0" || env.FORCE_COLOR === "false";
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  const color = !noColor && !forceOff && (force || (tty && !dumb));
  return { color, marks: tty, width: tty ? (out.columns && out.columns > 0 ? out.columns : 80) : undefined };
}

type Format = Parameters<typeof styleText>[0];

export const paint = (style: Style, format: Format, text: string): string => (style.color ? styleText(format, text, { validateStream: false }) : text);

const SEVERITY: Record<Finding["severity"], { mark: string; format: Format }> = {
  error: { mark: "✖", format: "red" },
  warning: { mark: "▲", format: "yellow" },
  info: { mark: "✔", format: "dim" },
  skipped: { mark: "-", format: "dim" },
};

/** A finding's severity word, coloured and marked as the style says. */
export function severityLabel(style: Style, severity: Finding["severity"]): string {
  const s = SEVERITY[severity] ?? { mark: " ", format: "reset" as Format };
  return paint(style, s.format, `${style.marks ? `${s.mark} ` : ""}${severity.padEnd(7)}`);
}

/** ✔ for good news, ✖ for bad, when the style has marks. */
export const mark = (style: Style, ok: boolean, text: string): string =>
  style.marks ? `${paint(style, ok ? "green" : "red", ok ? "✔" : "✖")} ${text}` : text;

/**
 * Wrap `text` (one line, its first `indent` characters a prefix) at spaces to `width` columns, the
 * continuation lines indented under the text. A word longer than the line (a URL) stays whole.
 */
export function wrap(text: string, width: number | undefined, indent: number): string {
  if (width === undefined || text.length <= width) return text;
  const room = Math.max(20, width - indent);
  const pad = " ".repeat(indent);
  const lines: string[] = [];
  let line = text.slice(0, indent);
  let used = 0;
  for (const word of text.slice(indent).split(" ")) {
    if (used > 0 && used + 1 + word.length > room) {
      lines.push(line);
      line = pad;
      used = 0;
    }
    line += used > 0 ? ` ${word}` : word;
    used += (used > 0 ? 1 : 0) + word.length;
  }
  lines.push(line);
  return lines.join("\n");
}
