import type { UpdateCommand } from './ports/resources.ts';
import { VersionConflictError } from './version-conflict.ts';

/**
 * What an update found its locked row at `version` needs: nothing when the command was computed
 * on that version, else its rebase (UpdateCommand.rebase); VersionConflictError when it has none.
 */
export function rebaseOf(command: UpdateCommand, version: number): UpdateCommand['rebase'] {
  if (command.expectedVersion === version) return undefined;
  if (command.rebase === undefined) throw new VersionConflictError();
  return command.rebase;
}
