/** Exit codes everywhere (PRODUCT.md, "The surface"). */
export const EXIT = { ok: 0, findings: 1, usage: 2, cancelled: 130 } as const;

/**
 * A failure the user can act on: bad flag, bad file, refused operation. Carries the exit code; `cli.ts`
 * is the one place that prints it and exits. Anything else that is thrown is an internal bug.
 */
export class UserError extends Error {
  readonly exitCode: number;
  /** Extra lines printed after the message, e.g. the step to add by hand. */
  readonly details: string[];
  constructor(message: string, opts: { exitCode?: number; details?: string[] } = {}) {
    super(message);
    this.name = "UserError";
    this.exitCode = opts.exitCode ?? EXIT.usage;
    this.details = opts.details ?? [];
  }
}

/** Ctrl-C at a prompt, or "no" at the confirmation: nothing written, exit 130. */
export class Cancelled extends Error {
  readonly exitCode = EXIT.cancelled;
  constructor(message = "Cancelled; nothing was written.") {
    super(message);
    this.name = "Cancelled";
  }
}
