import { Composer, LineCounter, Parser, YAMLParseError, type CST, type Document, type YAMLSeq } from "yaml";

/**
 * Each YAML text parsed once per run (issue 19). A set-up reads ci.yml in several stages that do not
 * share a caller (the plan's state comparison, the gate's locate and verify, validate's parse check,
 * its `uses:`/`run:` scan, the ownership scope), and on a long workflow those parses were the whole
 * cost. So the parse is keyed by the text itself: the same bytes give the same document, whoever asks.
 *
 * What is handed out is shared, so it is read-only: the data is deep-frozen (a stage that changed it
 * would change it for every later stage; it throws instead), and no stage edits the document (edits are
 * made to the text at source offsets, never to the tree).
 *
 * The parser's source tokens (CST) are not kept on the nodes: they were two thirds of a document's memory
 * (29 of 39 MiB for 5,000 steps), and the gate needs only one fact from them, where the `-` of each item
 * of a block sequence is (`dashesOf`). That fact is read from the tokens as they pass from the parser to
 * the composer, so the document is never walked to drop them (that walk was 65 ms of a 5,000-step set-up).
 */
export interface ParsedYaml {
  /** Parsed with plain (not "pretty") errors and no source tokens; positions through `lines`. */
  doc: Document.Parsed;
  lines: LineCounter;
  /** `doc.toJS({ maxAliasCount: 1000 })`, computed on first use, frozen; throws as toJS throws. */
  data(): unknown;
}

/**
 * The most recent texts, oldest first. A run touches a handful (the workflows, each one's planned text,
 * our rendered files); `fleet --local` and `check DIR...` move on to the next repository, so older
 * entries are dropped instead of holding every repository's documents.
 */
const recent = new Map<string, ParsedYaml>();
/** Per document, each block sequence's dashes by the sequence's start offset (a YAMLSeq's `range[0]`). */
const dashes = new WeakMap<Document, Map<number, number[]>>();

/**
 * The offset of the `-` of each item of a block sequence of `doc`, a document from `parseYamlOnce`;
 * undefined for a flow sequence or another document's node. A block sequence starts at its first `-`,
 * so no two of a document's sequences share a start.
 */
export const dashesOf = (doc: Document, seq: YAMLSeq): number[] | undefined => {
  const start = seq.flow ? undefined : seq.range?.[0];
  return start === undefined ? undefined : dashes.get(doc)?.get(start);
};
const KEEP = 12;

export function parseYamlOnce(text: string): ParsedYaml {
  const hit = recent.get(text);
  if (hit) {
    recent.delete(text);
    recent.set(text, hit); // most recently used last
    return hit;
  }
  const lines = new LineCounter();
  const seqs = new Map<number, number[]>();
  const doc = parseWithDashes(text, lines, seqs);
  dashes.set(doc, seqs);
  let data: { value: unknown } | undefined;
  const parsed: ParsedYaml = {
    doc,
    lines,
    data: () => (data ??= { value: deepFreeze(doc.toJS({ maxAliasCount: 1000 })) }).value,
  };
  recent.set(text, parsed);
  if (recent.size > KEEP) recent.delete(recent.keys().next().value as string);
  return parsed;
}

/**
 * yaml's `parseDocument(text, { lineCounter, prettyErrors: false })`, with the parser's tokens read on
 * their way to the composer: each block sequence's dashes go to `seqs`.
 */
function parseWithDashes(text: string, lines: LineCounter, seqs: Map<number, number[]>): Document.Parsed {
  function* tap(tokens: Generator<CST.Token>): Generator<CST.Token> {
    for (const token of tokens) {
      if (token.type === "document" && token.value) collectDashes(token.value, seqs);
      yield token;
    }
  }
  let doc: Document.Parsed | undefined;
  // As yaml's own parseDocument: the first document, and an error if there are more.
  for (const next of new Composer({}).compose(tap(new Parser(lines.addNewLine).parse(text)), true, text.length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], "MULTIPLE_DOCS", "Source contains multiple documents; please use YAML.parseAllDocuments()"));
      break;
    }
  }
  if (!doc) throw new Error("internal: the YAML composer returned no document");
  return doc;
}

/** Record the dashes of every block sequence under `token` (none is inside a flow collection). */
function collectDashes(token: CST.Token, seqs: Map<number, number[]>): void {
  if (token.type === "block-seq") {
    // A comment after the last item is a CST item of its own, without a dash.
    const offsets: number[] = [];
    for (const item of token.items) {
      const dash = item.start.find((t) => t.type === "seq-item-ind");
      if (dash) offsets.push(dash.offset);
      if (item.value) collectDashes(item.value, seqs);
    }
    seqs.set(token.offset, offsets);
  } else if (token.type === "block-map") {
    for (const item of token.items) {
      if (item.key) collectDashes(item.key, seqs);
      if (item.value) collectDashes(item.value, seqs);
    }
  }
}

/** `value` and everything reachable from it frozen (Maps and Sets keep their entries changeable). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
