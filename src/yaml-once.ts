import { isSeq, LineCounter, parseDocument, visit, type Document, type YAMLSeq } from "yaml";

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
 * The parser's source tokens (CST) are dropped once read: they were two thirds of a document's memory
 * (29 of 39 MiB for 5,000 steps), and the gate needs only one fact from them, where the `-` of each item
 * of a block sequence is (`dashesOf`), which is kept.
 */
export interface ParsedYaml {
  /** Parsed with source tokens and plain (not "pretty") errors; positions through `lines`. */
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
const dashes = new WeakMap<YAMLSeq, number[]>();

/** The offset of the `-` of each item of a block sequence of a document from `parseYamlOnce`; undefined for any other. */
export const dashesOf = (seq: YAMLSeq): number[] | undefined => dashes.get(seq);
const KEEP = 12;

export function parseYamlOnce(text: string): ParsedYaml {
  const hit = recent.get(text);
  if (hit) {
    recent.delete(text);
    recent.set(text, hit); // most recently used last
    return hit;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { keepSourceTokens: true, lineCounter: lines, prettyErrors: false });
  visit(doc, (_key, node) => {
    if (isSeq(node) && node.srcToken?.type === "block-seq") {
      // A comment after the last item is a CST item of its own, without a dash.
      dashes.set(node, node.srcToken.items.map((it) => it.start.find((t) => t.type === "seq-item-ind")?.offset).filter((d) => d !== undefined));
    }
    if (typeof node === "object" && node && "srcToken" in node) delete node.srcToken;
  });
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

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
