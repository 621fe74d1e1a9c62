import { parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import { badRequest } from '../errors/scim-error.ts';
import { createAdminTokenService } from '../service/admin-tokens.ts';
import { createAuditLog } from '../service/audit.ts';
import { createTenantService, DEFAULT_ROTATION_OVERLAP, type TokenView } from '../service/tenants.ts';
import { openStore } from '../store/open.ts';

type Output = (line: string) => void;

/** The administration commands' lines of `scimd help`. */
export const ADMIN_USAGE = `  tenants create NAME                      create a tenant
  tenants list                             list tenants (name, id, created, disabled)
  tenants disable NAME | enable NAME       refuse (403) / accept again the tenant's SCIM tokens
  tenants delete NAME --yes                delete a tenant with all its data (not reversible)
  tokens create --tenant NAME [--expires 90d] [--label TEXT] [--json]
                                           mint a bearer token (printed once)
  tokens list [--tenant NAME]              list tokens (never their secrets)
  tokens revoke ID                         revoke a token
  tokens rotate ID [--overlap ${DEFAULT_ROTATION_OVERLAP}] [--expires 90d] [--json]
                                           mint a successor; the old token expires after the overlap
  admin-tokens create [--expires 90d] [--label TEXT] [--json]
                                           mint an admin API token (printed once)
  admin-tokens list | admin-tokens revoke ID
  audit list [--tenant NAME] [--since ISO] [--until ISO] [--count N] [--cursor C] [--json]
                                           the audit log of SCIM writes, newest first`;

export const ADMIN_COMMANDS = ['tenants', 'tokens', 'admin-tokens', 'audit'];

function tokenLine(t: TokenView): string {
  const state =
    t.state === 'revoked'
      ? `revoked ${t.revokedAt}`
      : t.expiresAt
        ? `${t.state === 'expired' ? 'expired' : 'expires'} ${t.expiresAt}`
        : 'active';
  return `${t.id}\t${t.tenant}\t${state}\tcreated ${t.createdAt}\tlast used ${t.lastUsedAt ?? 'never'}${t.label ? `\t${t.label}` : ''}`;
}

function one(args: readonly string[], usage: string): string {
  const { positionals } = parseArgs({ args: [...args], allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw badRequest(`usage: scimd ${usage}`);
  return positionals[0]!;
}

/**
 * tenants, tokens, admin-tokens and audit: the same service layer as the admin API
 * (src/service), on the configured database, while a server may be running on it.
 */
export async function runAdminCommand(
  config: Config,
  command: string,
  sub: string | undefined,
  args: readonly string[],
  out: Output,
): Promise<number | undefined> {
  const store = await openStore(config.databaseUrl);
  try {
    await store.migrate();
    const tenants = createTenantService(store);
    const key = `${command} ${sub ?? ''}`.trim();
    switch (key) {
      case 'tenants create': {
        const tenant = await tenants.createTenant(one(args, 'tenants create NAME'));
        out(`created tenant ${tenant.name} (${tenant.id})`);
        return 0;
      }
      case 'tenants list': {
        for (const t of await tenants.listTenants())
          out(`${t.name}\t${t.id}\t${t.createdAt}${t.disabledAt ? `\tdisabled ${t.disabledAt}` : ''}`);
        return 0;
      }
      case 'tenants disable':
      case 'tenants enable': {
        const name = one(args, `${key} NAME`);
        const tenant = sub === 'disable' ? await tenants.disableTenant(name) : await tenants.enableTenant(name);
        out(
          tenant.disabledAt
            ? `disabled tenant ${tenant.name}: its tokens are refused (403) within a second`
            : `enabled tenant ${tenant.name}`,
        );
        return 0;
      }
      case 'tenants delete': {
        const { positionals, values } = parseArgs({ args: [...args], allowPositionals: true, options: { yes: { type: 'boolean' } } });
        if (positionals.length !== 1) throw badRequest('usage: scimd tenants delete NAME --yes');
        if (!values.yes)
          throw badRequest(`deleting tenant ${positionals[0]} removes all its users, groups, events and tokens for good: add --yes`);
        const deleted = await tenants.deleteTenant(positionals[0]!);
        out(`deleted tenant ${deleted.tenant.name}: ${deleted.resources} resources, ${deleted.tokens} tokens, ${deleted.events} events`);
        return 0;
      }
      case 'tokens create': {
        const { values } = parseArgs({
          args: [...args],
          options: { tenant: { type: 'string' }, expires: { type: 'string' }, label: { type: 'string' }, json: { type: 'boolean' } },
        });
        if (!values.tenant) throw badRequest('usage: scimd tokens create --tenant NAME [--expires 90d] [--label TEXT] [--json]');
        const minted = await tenants.mintToken(values.tenant, {
          ...(values.expires ? { expires: values.expires } : {}),
          ...(values.label ? { label: values.label } : {}),
        });
        if (values.json) out(JSON.stringify({ tenant: minted.tenant, id: minted.id, token: minted.token }));
        else {
          out(`token ${minted.id} for tenant ${minted.tenant}${minted.expiresAt ? `, expires ${minted.expiresAt}` : ''}`);
          out(`secret (shown once): ${minted.token}`);
        }
        return 0;
      }
      case 'tokens list': {
        const { values } = parseArgs({ args: [...args], options: { tenant: { type: 'string' } } });
        for (const t of await tenants.listTokens(values.tenant)) out(tokenLine(t));
        return 0;
      }
      case 'tokens revoke': {
        const id = one(args, 'tokens revoke ID');
        await tenants.revokeToken(id);
        out(`revoked ${id}`);
        return 0;
      }
      case 'tokens rotate': {
        const { positionals, values } = parseArgs({
          args: [...args],
          allowPositionals: true,
          options: { overlap: { type: 'string' }, expires: { type: 'string' }, json: { type: 'boolean' } },
        });
        if (positionals.length !== 1)
          throw badRequest(`usage: scimd tokens rotate ID [--overlap ${DEFAULT_ROTATION_OVERLAP}] [--expires 90d] [--json]`);
        const { minted, previous } = await tenants.rotateToken(positionals[0]!, {
          ...(values.overlap ? { overlap: values.overlap } : {}),
          ...(values.expires ? { expires: values.expires } : {}),
        });
        if (values.json)
          out(
            JSON.stringify({
              tenant: minted.tenant,
              id: minted.id,
              token: minted.token,
              previous: previous.id,
              previousExpiresAt: previous.expiresAt,
            }),
          );
        else {
          out(`token ${minted.id} for tenant ${minted.tenant} replaces ${previous.id}, which stops working at ${previous.expiresAt}`);
          out(`secret (shown once): ${minted.token}`);
        }
        return 0;
      }
      case 'admin-tokens create': {
        const { values } = parseArgs({
          args: [...args],
          options: { expires: { type: 'string' }, label: { type: 'string' }, json: { type: 'boolean' } },
        });
        const minted = await createAdminTokenService(store).mint({
          ...(values.expires ? { expires: values.expires } : {}),
          ...(values.label ? { label: values.label } : {}),
        });
        if (values.json) out(JSON.stringify({ id: minted.id, token: minted.token }));
        else {
          out(`admin token ${minted.id}${minted.expiresAt ? `, expires ${minted.expiresAt}` : ''} (for /admin only; never a SCIM token)`);
          out(`secret (shown once): ${minted.token}`);
        }
        return 0;
      }
      case 'admin-tokens list': {
        for (const t of await createAdminTokenService(store).list()) {
          const state = t.revokedAt ? `revoked ${t.revokedAt}` : t.expiresAt ? `expires ${t.expiresAt}` : 'active';
          out(`${t.id}\t${state}\tcreated ${t.createdAt}\tlast used ${t.lastUsedAt ?? 'never'}${t.label ? `\t${t.label}` : ''}`);
        }
        return 0;
      }
      case 'admin-tokens revoke': {
        const id = one(args, 'admin-tokens revoke ID');
        await createAdminTokenService(store).revoke(id);
        out(`revoked ${id}`);
        return 0;
      }
      case 'audit list': {
        const { values } = parseArgs({
          args: [...args],
          options: {
            tenant: { type: 'string' },
            since: { type: 'string' },
            until: { type: 'string' },
            count: { type: 'string' },
            cursor: { type: 'string' },
            json: { type: 'boolean' },
          },
        });
        if (values.count !== undefined && !/^\d+$/.test(values.count)) throw badRequest('--count must be a whole number');
        const page = await createAuditLog(store).page({ ...values, count: values.count === undefined ? undefined : Number(values.count) });
        for (const e of page.entries) {
          if (values.json) out(JSON.stringify(e));
          else
            out(
              `${e.time}\t${e.tenantName ?? '-'}\t${e.tokenId ?? '-'}\t${e.operation}\t${e.resourceType ?? '-'}\t${e.resourceId ?? '-'}\t${e.status}`,
            );
        }
        if (page.nextCursor) out(values.json ? JSON.stringify({ nextCursor: page.nextCursor }) : `more: --cursor ${page.nextCursor}`);
        return 0;
      }
      default:
        return undefined;
    }
  } finally {
    await store.close();
  }
}
