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

/**
 * Plain prompts for TERM=dumb (Emacs shell, some serial consoles): a line a question, no cursor movement
 * and no box drawing. Ctrl-C reaches the process as SIGINT (readline does not take the terminal).
 */
export function plainPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompter {
  // One reader for the whole run: lines typed ahead (or piped) are kept for the next question.
  const lines: string[] = [];
  const waiting: ((l: string | typeof CANCEL) => void)[] = [];
  let buffer = "";
  let ended = false;
  let listening = false;
  const deliver = () => {
    while (waiting.length && lines.length) waiting.shift()?.(lines.shift() as string);
    if (ended) while (waiting.length) waiting.shift()?.(CANCEL);
    if (!waiting.length) input.pause(); // a paused stdin lets the process exit after the last question
  };
  const listen = () => {
    if (listening) return;
    listening = true;
    input.on("data", (chunk: Buffer | string) => {
      buffer += chunk.toString();
      let at: number;
      while ((at = buffer.indexOf("\n")) >= 0) {
        lines.push(buffer.slice(0, at).replace(/\r$/, "").trim());
        buffer = buffer.slice(at + 1);
      }
      deliver();
    });
    input.on("end", () => {
      ended = true;
      deliver();
    });
  };
  function line(prompt: string): Promise<string | typeof CANCEL> {
    output.write(prompt);
    listen();
    return new Promise((resolve) => {
      waiting.push(resolve);
      input.resume();
      deliver();
    });
  }
  return {
    async text(q) {
      for (;;) {
        const answer = await line(`${q.message}${q.initialValue ? ` [${q.initialValue}]` : ""}: `);
        if (answer === CANCEL) return CANCEL;
        const value = answer === "" ? (q.initialValue ?? "") : answer;
        const problem = q.validate?.(value);
        if (!problem) return value;
        output.write(`  ${problem}\n`);
      }
    },
    async select(q) {
      const initial = Math.max(0, q.options.findIndex((o) => o.value === q.initialValue));
      output.write(`${q.message}\n${q.options.map((o, i) => `  ${i + 1}) ${o.label ?? o.value}${o.hint ? ` (${o.hint})` : ""}`).join("\n")}\n`);
      for (;;) {
        const answer = await line(`Choice [${initial + 1}]: `);
        if (answer === CANCEL) return CANCEL;
        const byNumber = answer === "" ? initial : Number(answer) - 1;
        const chosen = q.options[byNumber] ?? q.options.find((o) => o.value === answer || o.label === answer);
        if (chosen) return chosen.value;
        output.write(`  a number from 1 to ${q.options.length}\n`);
      }
    },
    async confirm(q) {
      for (;;) {
        const answer = await line(`${q.message} ${q.initialValue ? "[Y/n]" : "[y/N]"}: `);
        if (answer === CANCEL) return CANCEL;
        if (answer === "") return Boolean(q.initialValue);
        if (/^y(es)?$/i.test(answer)) return true;
        if (/^no?$/i.test(answer)) return false;
        output.write("  y or n\n");
      }
    },
    intro: (t) => output.write(`${t}\n`),
    outro: (t) => output.write(`${t}\n`),
  };
}

/** clack's spinner, or under TERM=dumb a line before and after (no cursor movement). */
export async function terminalProgress(dumb: boolean, output: NodeJS.WritableStream): Promise<(label: string) => { stop(text: string): void }> {
  if (dumb) {
    return (label) => {
      output.write(`${label} ...\n`);
      return { stop: (text) => output.write(`${text}\n`) };
    };
  }
  const p = await import("@clack/prompts");
  return (label) => {
    const s = p.spinner();
    s.start(label);
    return { stop: (text) => s.stop(text) };
  };
}
