import type { Command } from 'commander';
import { effectiveSettings } from '../config/variables.ts';
import type { Cli } from './cli.ts';
import { printList } from './output.ts';

/** `scimd config`: the configuration in effect, secrets masked, and where each value came from. */
export function registerConfigCommand(program: Command, cli: Cli): void {
  program
    .command('config')
    .description('print the configuration in effect: each SCIMD_* variable, its value (secrets masked) and its source')
    .option('--json', 'print a JSON array of {"name","value","source"}')
    .action(
      cli.action<{ json?: boolean }>(async ({ config, env, io }, options) => {
        printList(io, effectiveSettings(config, env), {
          json: options.json,
          noun: 'settings',
          columns: [
            { header: 'VARIABLE', cell: (s) => s.name },
            { header: 'VALUE', cell: (s) => s.value ?? '(unset)' },
            { header: 'SOURCE', cell: (s) => s.source },
          ],
        });
      }),
    );
}
