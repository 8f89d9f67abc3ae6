import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { INPUT_LIMITS } from '../../../src/inventory/input-limits.js';
import { readPlainYaml } from '../../../src/inventory/yaml-fast-path.js';
import { parseYamlSource } from '../../../src/inventory/yaml-source.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** What the yaml package makes of `text` with dbwave's options: its value, or that it complains. */
function yamlPackage(text: string): { value: unknown } | 'complains' {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false, logLevel: 'silent' });
  if (document.errors.length > 0 || document.warnings.length > 0) return 'complains';
  try {
    return { value: document.toJS({ maxAliasCount: INPUT_LIMITS.aliasExpansions }) };
  } catch {
    return 'complains';
  }
}

/** The fast path's one promise: when it answers, it answers what the yaml package would. */
function expectSameAsYamlPackage(text: string): ReturnType<typeof readPlainYaml> {
  const fast = readPlainYaml(text, INPUT_LIMITS.stringLength);
  if (fast === undefined) return fast;
  const precise = yamlPackage(text);
  expect(precise, text).not.toBe('complains');
  expect(fast.value, text).toStrictEqual((precise as { value: unknown }).value);
  return fast;
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return yamlFilesUnder(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

describe('the plain-YAML fast path', () => {
  it("reads every YAML file of the repository as the yaml package does, and the source case's own files at all", () => {
    const files = yamlFilesUnder(ROOT);
    expect(files.length).toBeGreaterThan(20);
    const answered = files.filter(
      (file) => expectSameAsYamlPackage(readFileSync(file, 'utf8')) !== undefined,
    );
    const shown = answered.map((file) => relative(ROOT, file));
    // The files dbwave writes and the worked example are in the subset: the fast path is taken.
    expect(shown).toEqual(
      expect.arrayContaining([
        'hardware-classes/ix-6drive-phx-old.yaml',
        'hardware-classes/cuil-9drive-scl2.yaml',
        'waves/mysql-5.1.58.yaml',
        'waves/mysql-5.1.58.plan.yaml',
      ]),
    );
  });

  it('declines what it does not reason about, so that the yaml package reports it', () => {
    const declined = [
      'a: 1\na: 2\n', // duplicate key
      'a: &x 1\nb: *x\n', // anchors and aliases
      'a: !!str 1\n', // tags
      'a: |\n  text\n', // block scalar
      'a: one\n  two\n', // multi-line plain scalar
      'a: "one\n  two"\n', // multi-line quoted scalar
      'a: "tab\\there"\n', // escapes
      'a:\tb\n', // tabs
      'a: 1\r\nb: 2\r\n', // CRLF
      '---\na: 1\n', // document markers
      '', // empty
      '# only a comment\n',
      'a: 0x1F\n', // numbers other than plain decimals
      'a: 1e3\n',
      'a: .inf\n',
      'a: 007\n',
      'true: 1\n', // keys that are not strings
      '"quoted": 1\n',
      'a: [1, 2,]\n', // trailing comma
      'a: { b: 1\n', // unclosed flow
      'a:\n- 1\n- 2\n', // a sequence aligned with its key
      '- - 1\n', // compact nested sequence
      '  a: 1\n', // indented root
      'a:\n    b: 1\n  c: 2\n', // bad indentation
      `a: ${'x'.repeat(INPUT_LIMITS.stringLength + 1)}\n`, // overlong string
    ];
    for (const text of declined) expect(readPlainYaml(text, INPUT_LIMITS.stringLength), text).toBeUndefined();
  });

  it('reads the subset: block and flow collections, quoted and plain scalars, comments', () => {
    const text = [
      '# header',
      'name: first day # a comment',
      'version: "5.1.44"',
      "quote: 'it''s'",
      'count: 30',
      'ratio: -1.50',
      'on: true',
      'nothing: ~',
      'empty:',
      'date: 2011-09-20',
      'instant: 2011-09-20T09:00:00-07:00',
      'list: [2011-09-26, "a b", 3]',
      'map: { servers: 30, fit: fits }',
      'servers:',
      '  - name: db1',
      '    tags:',
      '      - users',
      '  -   name: db2',
      '      role: replica',
      '  - plain',
      '  -',
      '    nested: 1',
      '',
    ].join('\n');
    const fast = expectSameAsYamlPackage(text);
    expect(fast?.value).toMatchObject({
      on: true,
      nothing: null,
      empty: null,
      ratio: -1.5,
      version: '5.1.44',
    });
  });

  it('agrees with the yaml package on random documents made of awkward pieces', () => {
    const scalar = fc.constantFrom(
      'plain',
      'two words',
      'true',
      'False',
      'null',
      '~',
      'yes',
      '0',
      '-0',
      '12',
      '-7',
      '007',
      '1.5',
      '1.',
      '.5',
      '1e3',
      '0x1F',
      '0o17',
      '+1',
      '.inf',
      '.NaN',
      '5.1.44',
      '2011-09-20',
      '09:00',
      'a: b',
      'a:b',
      'x:',
      'a #b',
      'a#b',
      "it's",
      '"q"',
      "'q'",
      '"a\\"b"',
      "'a''b'",
      '""',
      '[a, b]',
      '{ a: 1 }',
      '[]',
      '{}',
      '[a,]',
      '&a x',
      '*a',
      '!t x',
      '|',
      '>',
      '@x',
      '%x',
      '`x',
      '- x',
      '-x',
      '-',
      '?',
      'a,b',
      '[a, b: c]',
      '{ a, b }',
      '{ a: b c }',
      'ünïcode',
      '',
      ' ',
    );
    const key = fc.constantFrom(
      'a',
      'b',
      'name',
      'k-1',
      'a.b',
      'true',
      '1',
      'a b',
      '__proto__',
      '<<',
      '"q"',
      '_x',
    );
    const indent = fc.constantFrom(0, 1, 2, 3, 4);
    interface Tree {
      readonly kind: 'map' | 'seq' | 'scalar';
      readonly entries?: readonly { key: string; value: Tree }[];
      readonly items?: readonly Tree[];
      readonly text?: string;
    }
    const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        scalar.map((text) => ({ kind: 'scalar' as const, text })),
        fc
          .array(fc.record({ key, value: tie('tree') }), { minLength: 1, maxLength: 4 })
          .map((entries) => ({ kind: 'map' as const, entries })),
        fc
          .array(tie('tree'), { minLength: 1, maxLength: 4 })
          .map((items) => ({ kind: 'seq' as const, items })),
      ),
    }));
    const render = (node: Tree, depth: number, step: number, comment: boolean): string[] => {
      const pad = ' '.repeat(depth);
      if (node.kind === 'map') {
        return (node.entries ?? []).flatMap(({ key: name, value }) =>
          value.kind === 'scalar'
            ? [`${pad}${name}: ${value.text}${comment ? ' # c' : ''}`]
            : [`${pad}${name}:`, ...render(value, depth + step, step, comment)],
        );
      }
      if (node.kind === 'seq') {
        return (node.items ?? []).flatMap((item) =>
          item.kind === 'scalar'
            ? [`${pad}- ${item.text}`]
            : item.kind === 'map'
              ? render(item, depth + 2, step, comment).map((line, index) =>
                  index === 0 ? `${pad}- ${line.slice(depth + 2)}` : line,
                )
              : [`${pad}-`, ...render(item, depth + step, step, comment)],
        );
      }
      return [`${pad}${node.text}`];
    };
    let answered = 0;
    const runs = 3000;
    fc.assert(
      fc.property(tree, indent, fc.boolean(), (root, step, comment) => {
        const text = `${render(root, 0, step, comment).join('\n')}\n`;
        if (expectSameAsYamlPackage(text) !== undefined) answered += 1;
      }),
      { numRuns: runs },
    );
    // Most pieces are awkward on purpose, but the comparison must not be empty.
    expect(answered).toBeGreaterThan(runs / 20);
  });
});

describe('the fast path inside one line', () => {
  it('agrees with the yaml package on flow collections and quoted values whose next line could continue them', () => {
    // Every value is judged on its own line's text: a quote, bracket or comma on the NEXT line
    // must never close or extend it. Each document is several such lines, so that a reader that
    // looked past a line's end would read a different value (or none) than the yaml package.
    const piece = fc.constantFrom(
      'a',
      'b c',
      ' a ',
      '\u00a0a\u00a0',
      'a\u00a0',
      '-1',
      '-',
      '- 1',
      '1.5',
      '"q"',
      '"q',
      "'q'",
      "'q",
      "'it''s'",
      "'x''",
      '[a]',
      '[a',
      '{ k: v }',
      '{ k: v',
      'k: v',
      'a,b',
      'x #c',
      '#c',
      '',
    );
    const line = fc.oneof(
      fc
        .array(fc.tuple(fc.constantFrom('name', 'k', 'date', 'true'), piece), { minLength: 1, maxLength: 3 })
        .map((entries) => `{ ${entries.map(([key, value]) => `${key}: ${value}`).join(', ')} }`),
      fc.array(piece, { minLength: 1, maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
      piece,
    );
    const tail = fc.constantFrom('', ' ', '  ', ' # c', '#c', ' ,', ' ]', ' }', '"', "'");
    let answered = 0;
    const runs = 3000;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, tail), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (values, asList) => {
          const lines = values.map(([value, after], index) =>
            asList ? `- ${value}${after}` : `key${index}: ${value}${after}`,
          );
          // The next line starts with what could close an open quote or bracket.
          const text = `${lines.join('\n')}\n`;
          if (expectSameAsYamlPackage(text) !== undefined) answered += 1;
          const closers = `${lines.map((entry) => `${entry}\n${asList ? '- ' : 'z: '}"]}'`).join('\n')}\n`;
          expectSameAsYamlPackage(closers);
        },
      ),
      { numRuns: runs },
    );
    expect(answered).toBeGreaterThan(runs / 20);
  });
});

describe('readPlainYaml with many alike strings', () => {
  it('keeps apart values and keys that differ in one character, and shares those that are equal', () => {
    // The reader returns a string met before instead of a new copy, found by its length and a few
    // of its characters: these differ from each other in one middle character only, or not at all.
    const values = fc.sample(
      fc
        .tuple(
          fc.constantFrom('a', 'b'),
          fc.stringMatching(/^[a-c]{0,3}$/),
          fc.constantFrom('x', 'y'),
          fc.stringMatching(/^[a-c]{0,3}$/),
          fc.constantFrom('z', 'zz'),
        )
        .map((parts) => parts.join('')),
      { numRuns: 400, seed: 16 },
    );
    const text = `servers:\n${values
      .map(
        (value, index) =>
          `  - name: ${value}\n    ${value}: ${index}\n    tags: [${value}, "${value}"]\n    flow: { ${value}: '${value}' }`,
      )
      .join('\n')}\n`;
    const fast = expectSameAsYamlPackage(text);
    if (fast === undefined) throw new Error('the fast path declined a file in its subset');
    const servers = (fast.value as { servers: { name: string; tags: string[] }[] }).servers;
    expect(servers.map((server) => server.name)).toStrictEqual(values);
    expect(servers.map((server) => server.tags[1])).toStrictEqual(values);
  });
});

describe('parseYamlSource on the fast path', () => {
  it('still names the line of a key, from a precise parse made only when asked', () => {
    const source = parseYamlSource('a: 1\nservers:\n  - name: db1\n  - name: db2\n    host: h\n', 'x.yaml');
    expect(source.issues).toEqual([]);
    expect(source.lineOf(['servers', 1, 'host'])).toBe(5);
    expect(source.lineOf(['servers', 1, 'nothing'])).toBe(4);
    expect(source.lineOf([])).toBe(1);
  });
});
