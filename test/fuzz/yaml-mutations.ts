import fc from 'fast-check';
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parseDocument,
  visit,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { CONTROL_CHARACTERS, hostileNumber, hostileString, hostileValue } from './hostile-values.js';

/**
 * Mutations of one YAML file, as data (so that a counterexample prints as what was done to the
 * file). Tree mutations work on the parsed document at a node chosen by `at` (modulo the number of
 * nodes, so that any integer is a valid choice and shrinks towards the first node); text
 * mutations work on the text it stringifies to.
 */
export type TreeMutation =
  | { readonly kind: 'replace'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'add-sibling'; readonly at: number; readonly key: string; readonly value: unknown }
  | { readonly kind: 'rename-key'; readonly at: number; readonly key: string }
  | { readonly kind: 'alias'; readonly at: number; readonly to: number }
  | { readonly kind: 'wrap'; readonly at: number; readonly as: 'list' | 'mapping' }
  | { readonly kind: 'affix-every-string'; readonly affix: string; readonly where: 'prefix' | 'suffix' }
  | { readonly kind: 'scale-every-number'; readonly by: number }
  | { readonly kind: 'share-equal-scalars' }
  | { readonly kind: 'nudge'; readonly at: number; readonly choice: number }
  | { readonly kind: 'move-item'; readonly at: number; readonly to: number };

export type TextMutation =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'duplicate-line'; readonly at: number }
  | { readonly kind: 'alias-bomb'; readonly depth: number; readonly width: number }
  | { readonly kind: 'replace-file'; readonly text: string };

/** What is done to one file of the corpus. */
export interface FileMutation {
  readonly file: string;
  readonly tree: readonly TreeMutation[];
  readonly text: readonly TextMutation[];
}

const at = fc.nat({ max: 10_000 });

export const treeMutation: fc.Arbitrary<TreeMutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('replace'), at, value: hostileValue }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('delete'), at }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('duplicate'), at, value: hostileValue }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('add-sibling'), at, key: hostileString, value: hostileValue }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('rename-key'), at, key: hostileString }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('alias'), at, to: at }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('wrap'), at, as: fc.constantFrom('list', 'mapping') }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('affix-every-string'),
      affix: hostileString,
      where: fc.constantFrom('prefix', 'suffix'),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('scale-every-number'), by: hostileNumber }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'share-equal-scalars' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('nudge'), at, choice: fc.nat({ max: 100 }) }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('move-item'), at, to: at }), weight: 3 },
);

/**
 * Values of the same kind as the one they replace, at the edges of what makes sense: they get
 * past the schemas to the planner and `check`, where the wrong types of `replace` do not.
 */
const PLAUSIBLE: readonly {
  readonly matches: (value: unknown) => boolean;
  readonly values: readonly unknown[];
}[] = [
  { matches: (value) => typeof value === 'number', values: [0, 1, 2, 3, 7, 16, 100, 10_000, 2 ** 31, -1] },
  {
    matches: (value) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value),
    values: [
      '2011-09-19',
      '2011-09-21',
      '2011-09-28',
      '2011-09-30',
      '1970-01-01',
      '2011-03-13',
      '2011-11-06',
      '2038-01-19',
      '9999-12-31',
      '2011-09-20..2011-09-22',
    ],
  },
  {
    matches: (value) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value),
    values: [
      '2011-09-20T09:00:00-07:00',
      '2011-09-20T02:30:00-08:00',
      '2011-09-21T18:00:00Z',
      '1970-01-01T00:00:00Z',
      '2011-09-20T25:00:00-07:00',
    ],
  },
  {
    matches: (value) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}\.\./.test(value),
    values: [
      '2011-09-27..2011-09-27',
      '2011-09-27..2011-10-30',
      '2011-09-28..2011-09-28',
      '2011-09-23..2011-09-26',
    ],
  },
  {
    matches: (value) => typeof value === 'string' && /^\d{2}:\d{2}$/.test(value),
    values: ['00:00', '23:59', '02:10', '02:50', '18:00', '09:01'],
  },
  {
    matches: (value) => typeof value === 'string' && /^\d+(\.\d+)?(ms|s|m|h|d)$/.test(value),
    values: ['0s', '1ms', '1s', '59m', '1d', '99999h', '0.5m'],
  },
  {
    matches: (value) => value === 'rest' || (typeof value === 'string' && value.endsWith('%')),
    values: ['0%', '1%', '50%', '100%', '99.99%', 'rest', 1, 15],
  },
  { matches: (value) => typeof value === 'boolean', values: [true, false] },
];

/** Raw text a YAML file could hold at any offset: control bytes, YAML syntax, an encoding mark. */
const insertion = fc.oneof(
  fc.constantFrom(...CONTROL_CHARACTERS),
  fc.constantFrom(
    '\ufeff',
    '\t',
    '\r\n',
    '\n---\n',
    '\n...\n',
    '%YAML 1.1\n---\n',
    '&anchor ',
    '*anchor',
    '*nowhere',
    '<<: *anchor\n',
    '!!binary ',
    '!custom ',
    '!!python/object:os.system ',
    '? ',
    '{',
    ']',
    '"',
    "'",
    '#',
    '|\n',
    '\n  - ',
  ),
  hostileString,
);

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('truncate'), at }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('insert'), at, text: insertion }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('duplicate-line'), at }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('alias-bomb'),
      depth: fc.integer({ min: 1, max: 9 }),
      width: fc.integer({ min: 2, max: 10 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('replace-file'),
      text: fc.oneof(fc.constantFrom('', '~', '[]', '42', '"just a string"', '*a', '&a [*a]'), fc.string()),
    }),
    weight: 1,
  },
);

/** One to three tree mutations and up to two text mutations of `file` (text ones less often). */
export function fileMutation(files: readonly string[]): fc.Arbitrary<FileMutation> {
  return fc.record({
    file: fc.constantFrom(...files),
    tree: fc.array(treeMutation, { minLength: 0, maxLength: 3 }),
    text: fc.oneof(
      { arbitrary: fc.constant([]), weight: 3 },
      { arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 2 }), weight: 1 },
    ),
  });
}

/** The file's text after its mutations: tree ones on the parsed document, then text ones. */
export function mutateText(text: string, mutation: FileMutation): string {
  let mutated = text;
  if (mutation.tree.length > 0) {
    const document = parseDocument(text, { uniqueKeys: false });
    for (const treeChange of mutation.tree) applyTreeMutation(document, treeChange);
    try {
      mutated = document.toString({ lineWidth: 0 });
    } catch {
      // A tree the yaml package cannot write (an alias to a node it has dropped, say) is not
      // a file anyone could hand dbwave: keep the text as it was.
    }
  }
  for (const textChange of mutation.text) mutated = applyTextMutation(mutated, textChange);
  return mutated;
}

/** A place in the document: an entry of a mapping or an item of a list. */
interface Slot {
  readonly parent: YAMLMap<unknown, unknown> | YAMLSeq<unknown>;
  readonly index: number;
}

function slotsOf(document: Document): Slot[] {
  const slots: Slot[] = [];
  const walk = (node: unknown): void => {
    if (isMap(node) || isSeq(node)) {
      node.items.forEach((item, index) => {
        slots.push({ parent: node, index });
        walk(isPair(item) ? item.value : item);
      });
    }
  };
  walk(document.contents);
  return slots;
}

function valueAt(slot: Slot): unknown {
  const item = slot.parent.items[slot.index];
  return isPair(item) ? item.value : item;
}

function setValueAt(slot: Slot, value: unknown): void {
  const item = slot.parent.items[slot.index];
  if (isPair(item)) item.value = value;
  else (slot.parent.items as unknown[])[slot.index] = value;
}

function applyTreeMutation(document: Document, mutation: TreeMutation): void {
  if (mutation.kind === 'affix-every-string') {
    visit(document, {
      Pair(_, pair) {
        if (isScalar(pair.value) && typeof pair.value.value === 'string') {
          const text = pair.value.value;
          pair.value.value =
            mutation.where === 'prefix' ? `${mutation.affix}${text}` : `${text}${mutation.affix}`;
        }
      },
      Seq(_, seq) {
        for (const item of seq.items) {
          if (isScalar(item) && typeof item.value === 'string')
            item.value =
              mutation.where === 'prefix'
                ? `${mutation.affix}${item.value}`
                : `${item.value}${mutation.affix}`;
        }
      },
    });
    return;
  }
  if (mutation.kind === 'scale-every-number') {
    visit(document, {
      Scalar(_, scalar) {
        if (typeof scalar.value === 'number') scalar.value *= mutation.by;
      },
    });
    return;
  }
  if (mutation.kind === 'share-equal-scalars') {
    shareEqualScalars(document);
    return;
  }
  const slots = slotsOf(document);
  const slot = slots[mutation.at % Math.max(slots.length, 1)];
  if (slot === undefined) return;
  const item = slot.parent.items[slot.index];
  switch (mutation.kind) {
    case 'replace':
      setValueAt(slot, document.createNode(mutation.value));
      return;
    case 'delete':
      slot.parent.items.splice(slot.index, 1);
      return;
    case 'duplicate':
      slot.parent.items.splice(
        slot.index + 1,
        0,
        isPair(item)
          ? (document.createPair(isScalar(item.key) ? item.key.value : item.key, mutation.value) as never)
          : (document.createNode(mutation.value) as never),
      );
      return;
    case 'add-sibling':
      slot.parent.items.push(
        isMap(slot.parent)
          ? (document.createPair(mutation.key, mutation.value) as never)
          : (document.createNode(mutation.value) as never),
      );
      return;
    case 'rename-key':
      if (isPair(item)) (item as Pair<unknown, unknown>).key = document.createNode(mutation.key);
      return;
    case 'alias': {
      const target = slots[mutation.to % slots.length];
      const node = target === undefined ? undefined : valueAt(target);
      if (node === undefined || node === null || isAlias(node) || typeof node !== 'object') return;
      (node as Node).anchor ??= `a${mutation.to}`;
      setValueAt(slot, document.createAlias(node as Node & { anchor: string }));
      return;
    }
    case 'nudge': {
      const value = valueAt(slot);
      if (!isScalar(value)) return;
      const kind = PLAUSIBLE.find((candidate) => candidate.matches(value.value));
      const strings = slots.map(valueAt).filter((node) => isScalar(node) && typeof node.value === 'string');
      if (kind !== undefined) value.value = kind.values[mutation.choice % kind.values.length];
      // Any other string becomes another string of the same file: a name, class or host twice.
      else if (typeof value.value === 'string' && strings.length > 0)
        value.value = (strings[mutation.choice % strings.length] as { value: unknown }).value;
      return;
    }
    case 'move-item': {
      // An entry of one list moved into another (or the same) list: a server to another wave.
      const target = slots[mutation.to % slots.length];
      const into = target === undefined ? undefined : valueAt(target);
      if (!isSeq(slot.parent) || !isSeq(into) || into === slot.parent.items[slot.index]) return;
      const [moved] = slot.parent.items.splice(slot.index, 1);
      into.items.splice(mutation.to % (into.items.length + 1), 0, moved);
      return;
    }
    case 'wrap': {
      const value = valueAt(slot);
      const plain = isScalar(value) || isMap(value) || isSeq(value) ? value.toJSON() : value;
      setValueAt(slot, document.createNode(mutation.as === 'list' ? [plain] : { wrapped: plain }));
      return;
    }
  }
}

/**
 * The same document written with anchors: every string that appears more than once is anchored
 * where it first appears and aliased after. A legitimate use of aliases, which must load as the
 * original does.
 */
function shareEqualScalars(document: Document): void {
  const first = new Map<string, Node>();
  let anchors = 0;
  for (const slot of slotsOf(document)) {
    const value = valueAt(slot);
    if (!isScalar(value) || typeof value.value !== 'string') continue;
    const earlier = first.get(value.value);
    if (earlier === undefined) {
      first.set(value.value, value);
      continue;
    }
    earlier.anchor ??= `s${anchors++}`;
    setValueAt(slot, document.createAlias(earlier as Node & { anchor: string }));
  }
}

function applyTextMutation(text: string, mutation: TextMutation): string {
  switch (mutation.kind) {
    case 'truncate':
      return text.slice(0, mutation.at % (text.length + 1));
    case 'insert': {
      const offset = mutation.at % (text.length + 1);
      return `${text.slice(0, offset)}${mutation.text}${text.slice(offset)}`;
    }
    case 'duplicate-line': {
      const lines = text.split('\n');
      const index = mutation.at % lines.length;
      lines.splice(index, 0, lines[index] ?? '');
      return lines.join('\n');
    }
    case 'alias-bomb':
      return `${aliasBomb(mutation.depth, mutation.width)}${text}`;
    case 'replace-file':
      return mutation.text;
  }
}

/** Top-level keys whose aliases expand to width^depth nodes: a "billion laughs" at depth 9. */
function aliasBomb(depth: number, width: number): string {
  const lines = [`bomb0: &bomb0 [${Array.from({ length: width }, () => '"lol"').join(', ')}]`];
  for (let level = 1; level <= depth; level++) {
    lines.push(
      `bomb${level}: &bomb${level} [${Array.from({ length: width }, () => `*bomb${level - 1}`).join(', ')}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}
