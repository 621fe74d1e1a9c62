import { parseArgs } from 'node:util';
import { createJwtVerifier } from '../auth/jwt.ts';
import type { Config } from '../config/config.ts';
import { createOAuthService, oauthIssuerView } from '../service/oauth.ts';
import type { Store } from '../store/ports/store.ts';

type Output = (line: string) => void;

/** Maps --kebab-case flags to the admin API's field names: one settings parser serves both. */
const FLAGS = {
  issuer: 'issuer',
  'jwks-url': 'jwksUrl',
  audience: 'audience',
  'tenant-claim': 'tenantClaim',
  'tenant-value': 'tenantValue',
  algorithms: 'algorithms',
  'clock-skew': 'clockSkewSeconds',
  'subject-attribute': 'subjectAttribute',
} as const;

/** `scimd oauth set|show|list|remove`: the same service as the admin API's OAuth routes. */
export async function oauthCommand(
  config: Config,
  store: Store,
  sub: string | undefined,
  args: readonly string[],
  out: Output,
  err: Output,
): Promise<number> {
  const verifier = createJwtVerifier({ refreshCooldownMs: config.jwksRefreshCooldownSeconds * 1000 });
  const oauth = createOAuthService({ store, verifier });
  const options: Record<string, { type: 'string' }> = { tenant: { type: 'string' } };
  for (const flag of Object.keys(FLAGS)) options[flag] = { type: 'string' };
  const { values } = parseArgs({ args: [...args], options });
  if (sub === 'list') {
    for (const record of await oauth.list()) out(JSON.stringify(oauthIssuerView(record)));
    return 0;
  }
  const tenant = values['tenant'];
  if (typeof tenant !== 'string' || !['set', 'show', 'remove'].includes(sub ?? '')) {
    err(
      'usage: scimd oauth set --tenant NAME --issuer ISS --jwks-url URL --audience AUD [options] | show --tenant NAME | list | remove --tenant NAME (see scimd help)',
    );
    return 1;
  }
  switch (sub) {
    case 'set': {
      const input = Object.fromEntries(
        Object.entries(FLAGS)
          .filter(([flag]) => values[flag] !== undefined)
          .map(([flag, field]) => [field, values[flag]]),
      );
      out(JSON.stringify(oauthIssuerView(await oauth.set(tenant, input)), null, 2));
      return 0;
    }
    case 'show':
      out(JSON.stringify(oauthIssuerView(await oauth.show(tenant)), null, 2));
      return 0;
    default:
      await oauth.remove(tenant);
      out(`tenant ${tenant} no longer trusts an OAuth issuer`);
      return 0;
  }
}
