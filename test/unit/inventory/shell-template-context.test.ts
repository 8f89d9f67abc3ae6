import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCommand } from '../../../src/model/command-template.js';
import { unsafePlaceholder } from '../../../src/model/shell-template-context.js';

describe('where a placeholder may stand in a command template', () => {
  it.each([
    ['sh -c "echo checking {{vars.svc}}; exit 1"', 'inside double quotes'],
    ["echo '{{name}}'", 'inside single quotes'],
    ['echo `{{name}}`', 'inside backticks'],
    ['cat <<EOF\nhello {{name}}\nEOF', 'inside a here-document'],
    ['sudo -u mysql sh -c {{vars.cmd}}', 'as the code sh -c runs'],
    ['bash -lc {{vars.cmd}}', 'as the code bash -lc runs'],
    ['eval {{vars.cmd}}', 'as the code eval runs'],
    ['true; . {{vars.file}}', 'as the code . runs'],
  ])('refuses %j (%s)', (template, why) => {
    expect(unsafePlaceholder(template)?.why).toBe(why);
  });

  it.each([
    'systemctl stop {{vars.svc}}',
    'mysqladmin --socket={{dataDir}}/mysql.sock shutdown',
    'test -f {{errorLog}} && echo ok',
    'echo $(cat {{dataDir}}/version)',
    'cat <<EOF\nfixed text\nEOF\necho {{name}}',
    '# "{{name}}" in a comment is never run\necho {{name}}',
    "printf '%s\\n' {{name}}",
  ])('accepts %j', (template) => {
    expect(unsafePlaceholder(template)).toBeUndefined();
  });

  it('keeps a hostile value one literal word wherever it accepts the placeholder (a real /bin/sh)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dbwave-quote-'));
    try {
      const pwned = join(dir, 'pwned');
      const value = `mysql$(touch ${pwned})\`touch ${pwned}\`'"; touch ${pwned}`;
      for (const template of ['echo {{vars.svc}}', 'echo x{{vars.svc}}y', 'echo $(echo {{vars.svc}})']) {
        expect(unsafePlaceholder(template)).toBeUndefined();
        const command = renderCommand(
          template,
          { 'vars.svc': value },
          { file: 'c.yaml', key: 'commands.running' },
        );
        const printed = execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
        expect(printed).toContain(value);
      }
      expect(existsSync(pwned)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
