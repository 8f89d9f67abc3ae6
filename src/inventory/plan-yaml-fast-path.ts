/**
 * The plan file's text written directly, for plans whose every value is a plain word, a date, an
 * instant or a whole number: byte for byte what the yaml package's Document writes for them (see
 * plan-yaml.ts), without building a node per value, which cost seconds and hundreds of megabytes
 * for 100,000 servers. Any other value (quotes needed, an empty list, a fraction, a key order or
 * shape it does not know) declines (`undefined`), and the caller writes the plan through the
 * yaml package.
 */
import type { Plan } from '../model/plan.js';
import { resolvesToNonString } from './yaml-core-schema.js';

/** Declines: the caller writes with the yaml package instead. */
class Decline extends Error {}

const decline = (): never => {
  throw new Decline();
};

/** Plain words the yaml package writes unquoted in a block value: no leading indicator, no `: `, no ` #`. */
const BLOCK_PLAIN = /^[A-Za-z0-9_][A-Za-z0-9_./+:-]*(?: [A-Za-z0-9_./+:-]+)*$/;
/** In a flow mapping (`{ name: db1, ... }`) also no colon at all. */
const FLOW_PLAIN = /^[A-Za-z0-9_][A-Za-z0-9_./+-]*(?: [A-Za-z0-9_./+-]+)*$/;

/**
 * Keys and values already judged plain in a flow mapping, or not: every server's line repeats its
 * three keys, and its class and date are among a few, where six patterns a value were a sixth of
 * writing a 100,000-server plan. Bounded, like the dates in schema-primitives.ts.
 */
const judgedFlowPlain = new Map<string, boolean>();
const JUDGED_FLOW_PLAIN_LIMIT = 4096;

function scalar(value: unknown, inFlow: boolean): string {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : decline();
  if (typeof value !== 'string') return decline();
  const known = inFlow ? judgedFlowPlain.get(value) : undefined;
  if (known !== undefined) return known ? value : decline();
  const plain = inFlow ? FLOW_PLAIN : BLOCK_PLAIN;
  const isPlain = plain.test(value) && !resolvesToNonString(value) && !/:(?: |$)/.test(value);
  if (inFlow) {
    if (judgedFlowPlain.size >= JUDGED_FLOW_PLAIN_LIMIT) judgedFlowPlain.clear();
    judgedFlowPlain.set(value, isPlain);
  }
  return isPlain ? value : decline();
}

function entries(value: unknown): [string, unknown][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return decline();
  const result = Object.entries(value).filter(([, inner]) => inner !== undefined);
  if (result.length === 0 || result.length !== Object.keys(value).length) return decline();
  for (const [key] of result) scalar(key, true);
  return result;
}

/** `{ a: 1, b: x }` */
function flowMap(value: unknown): string {
  return `{ ${entries(value)
    .map(([key, inner]) => `${key}: ${scalar(inner, true)}`)
    .join(', ')} }`;
}

/**
 * A block mapping at `indent`, one `key: value` a line; `flowAt` names the keys whose value is a
 * flow mapping, and `itemsFlow` the lists whose items are.
 */
function blockMap(
  value: unknown,
  indent: number,
  lines: string[],
  shape: { readonly flow?: ReadonlySet<string>; readonly lists?: Readonly<Record<string, ListShape>> },
  firstPrefix?: string,
): void {
  const pad = ' '.repeat(indent);
  entries(value).forEach(([key, inner], index) => {
    const start = index === 0 && firstPrefix !== undefined ? firstPrefix : pad;
    const list = shape.lists?.[key];
    if (list !== undefined) {
      if (!Array.isArray(inner) || inner.length === 0) decline();
      lines.push(`${start}${key}:`);
      blockList(inner as unknown[], indent + 2, lines, list);
    } else if (shape.flow?.has(key)) {
      lines.push(`${start}${key}: ${flowMap(inner)}`);
    } else {
      lines.push(`${start}${key}: ${scalar(inner, false)}`);
    }
  });
}

interface ListShape {
  /** Each item is a flow mapping on its own line (servers), or a block mapping of this shape. */
  readonly items:
    | 'flow'
    | { readonly flow?: ReadonlySet<string>; readonly lists?: Readonly<Record<string, ListShape>> };
}

function blockList(items: readonly unknown[], indent: number, lines: string[], shape: ListShape): void {
  const pad = ' '.repeat(indent);
  for (const item of items) {
    if (shape.items === 'flow') lines.push(`${pad}- ${flowMap(item)}`);
    else blockMap(item, indent + 2, lines, shape.items, `${pad}- `);
  }
}

/** The plan's shape as planToYaml styles it: servers and a day's capacity as flow mappings. */
const PLAN_SHAPE = {
  lists: {
    waves: {
      items: {
        lists: {
          days: { items: { flow: new Set(['capacity']) } },
          servers: { items: 'flow' },
        },
      },
    },
  },
} as const satisfies { readonly lists: Readonly<Record<string, ListShape>> };

/** The plan's YAML with `header` as its leading comment, or `undefined` when a value needs the yaml package. */
export function fastPlanYaml(plan: Plan, header: readonly string[]): string | undefined {
  if (header.some((line) => /[\n\r]/.test(line))) return undefined;
  try {
    const lines: string[] = header.map((line) => `# ${line}`.trimEnd());
    if (lines.length > 0) lines.push('');
    blockMap(plan, 0, lines, PLAN_SHAPE);
    return `${lines.join('\n')}\n`;
  } catch (error) {
    if (error instanceof Decline) return undefined;
    throw error;
  }
}
