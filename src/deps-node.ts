import { CANCEL, type Prompter } from "./deps.js";

/** A prompter that refuses: used whenever we decided not to be interactive, so nothing can ever wait for input. */
export const noPrompts: Prompter = {
  text: () => Promise.reject(new Error("internal: a prompt was reached in a non-interactive run")),
  select: () => Promise.reject(new Error("internal: a prompt was reached in a non-interactive run")),
  confirm: () => Promise.reject(new Error("internal: a prompt was reached in a non-interactive run")),
};

/** clack, adapted: its cancel symbol becomes our CANCEL value. */
export async function clackPrompter(): Promise<Prompter> {
  const p = await import("@clack/prompts");
  function unwrap<T>(v: T | symbol): T | typeof CANCEL {
    return p.isCancel(v) ? CANCEL : (v as T);
  }
  return {
    text: async (q) => unwrap<string>(await p.text({ message: q.message, initialValue: q.initialValue, validate: q.validate ? (v) => q.validate?.(v ?? "") : undefined })),
    select: async (q) => unwrap(await p.select({ message: q.message, options: q.options as never, initialValue: q.initialValue })) as never,
    confirm: async (q) => unwrap<boolean>(await p.confirm({ message: q.message, initialValue: q.initialValue })),
    intro: (t) => p.intro(t),
    outro: (t) => p.outro(t),
  };
}

/**
 * Page long text as git does: through `$PAGER` (default `less -R`, colour kept) when stdout is a terminal
 * and the text is taller than it; printed as is otherwise, or when the pager cannot be started.
 */
export function terminalPager(env: Record<string, string | undefined>, stdout: NodeJS.WriteStream): (text: string) => Promise<void> {
  return async (text) => {
    const body = text.endsWith("\n") ? text : `${text}\n`;
    const rows = stdout.rows || 24;
    if (!stdout.isTTY || body.split("\n").length - 1 < rows || env.TERM === "dumb") {
      stdout.write(body);
      return;
    }
    const { spawn } = await import("node:child_process");
    const command = env.PAGER?.trim() || "less -R";
    await new Promise<void>((done) => {
      // A shell line, as git runs $PAGER: "less -R", "more", "bat --paging=always".
      const child = spawn(command, { shell: true, stdio: ["pipe", "inherit", "inherit"], env: { LESS: "FRX", ...env } });
      let started = true;
      child.on("error", () => {
        started = false;
        stdout.write(body);
        done();
      });
      child.on("close", (code) => {
        if (!started) return;
        if (code === 127) stdout.write(body); // the shell found no such pager
        done();
      });
      child.stdin.on("error", () => undefined); // the user quit the pager early
      child.stdin.end(body);
    });
  };
}
