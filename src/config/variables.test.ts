import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from './load.ts';
import { maskUrl, VARIABLES } from './variables.ts';

describe('the table of SCIMD_* variables', () => {
  it('lists exactly the variables loadConfig reads (a new setting must be added there)', () => {
    const read = new Set<string>();
    const env = new Proxy({} as NodeJS.ProcessEnv, {
      get: (_target, name) => {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    });
    loadConfig(env);
    assert.deepEqual([...read].sort(), VARIABLES.map((v) => v.name).sort());
  });

  it('masks passwords and fragment secrets of URLs', () => {
    assert.equal(maskUrl('postgres://u:p%40ss@h:5432/db'), 'postgres://u:***@h:5432/db');
    assert.equal(maskUrl('postgres://u@h/db'), 'postgres://u@h/db');
    assert.equal(maskUrl('set+https://r.example.com/e#aud=x&token=abc'), 'set+https://r.example.com/e#aud=x&token=***');
  });
});
