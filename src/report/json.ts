import { VERSION } from "../version.js";

/**
 * The one `--json` shape (README, "JSON output"): every command and every error prints one object with
 * these keys first, then its own. `schemaVersion` changes only when a key is removed or changes meaning.
 */
export const JSON_SCHEMA_VERSION = 1;

export type JsonCommand = "init" | "check" | "validate" | "pin" | "fleet";

export interface JsonError {
  message: string;
  details: string[];
}

export function jsonEnvelope(command: JsonCommand, exitCode: number, body: Record<string, unknown>, error: JsonError | null = null): string {
  return JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, version: VERSION, command, exitCode, error, ...body }, null, 2);
}
