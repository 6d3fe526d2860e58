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
