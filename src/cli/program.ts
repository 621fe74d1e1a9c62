import { Command } from 'commander';
import { VERSION } from '../version.ts';
import { registerAuditCommands } from './audit.ts';
import type { Cli } from './cli.ts';
import { registerConfigCommand } from './config.ts';
import { registerConsoleCommands } from './console.ts';
import { registerEventCommands } from './events.ts';
import { registerOAuthCommands } from './oauth.ts';
import { registerResourceTypeCommands } from './resource-types.ts';
import { registerSchemaCommands } from './schema.ts';
import { registerServeCommands } from './serve.ts';
import { registerTenantCommands } from './tenants.ts';
import { registerTokenCommands } from './tokens.ts';
import { registerVerifyCommands } from './verify-tokens.ts';

/**
 * The `scimd` command line: every command and its help. Commands are registered by their own
 * modules, one line each below; a new one is a register…(program, cli) function (docs/cli.md).
 */
export function createProgram(cli: Cli): Command {
  const program = new Command('scimd')
    .description('SCIM 2.0 provisioning service: run it, and administer its tenants, tokens, schemas and events')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print help for the command')
    .addHelpCommand('help [COMMAND]', 'print help for a command')
    .showHelpAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => cli.io.out(text.replace(/\n$/, '')),
      writeErr: (text) => cli.io.err(text.replace(/\n$/, '')),
      outputError: (text, write) => write(text.replace(/^error: /, 'scimd: ')),
    })
    .addHelpText(
      'after',
      `
Configuration comes from SCIMD_* environment variables: \`scimd config\` prints them (docs/configuration.md).
Every command works on the database of SCIMD_DATABASE_URL (default sqlite:./data/scimd.db, in the
working directory), also while servers run on it. Exit codes: 0 done, 1 failed, 2 configuration.`,
    );
  registerServeCommands(program, cli);
  registerEventCommands(program, cli);
  registerTenantCommands(program, cli);
  registerTokenCommands(program, cli);
  registerAuditCommands(program, cli);
  registerSchemaCommands(program, cli);
  registerResourceTypeCommands(program, cli);
  registerOAuthCommands(program, cli);
  registerConfigCommand(program, cli);
  registerConsoleCommands(program, cli);
  registerVerifyCommands(program, cli);
  return program;
}
