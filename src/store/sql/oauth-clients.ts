import { notFound } from '../../errors/scim-error.ts';
import type {
  NewOAuthClientSecret,
  OAuthClientRecord,
  OAuthClientSecretRecord,
  OAuthClientSettings,
  OAuthClientStore,
  OAuthSigningKeyRecord,
} from '../ports/oauth-clients.ts';
import { raw, sql } from './fragment.ts';
import { type ConstraintOf, hasNul, type RunSql } from './run.ts';
import { TENANT_STATE_COLUMNS, type TenantStateRow, toTenantState } from './tenant-state.ts';

interface ClientRow extends TenantStateRow {
  readonly id: string;
  readonly tenant_id: string;
  readonly tenant_name: string;
  readonly name: string;
  readonly token_lifetime_seconds: number | string;
  readonly jwks: string | null;
  readonly federated_subject: string | null;
  readonly federated_audience: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

interface SecretRow {
  readonly id: string;
  readonly client_id: string;
  readonly hint: string;
  readonly created_at: string;
  readonly expires_at: string;
  readonly last_used_at: string | null;
}

interface KeyRow {
  readonly kid: string;
  readonly private_jwk: string;
  readonly created_at: string;
}

const SELECT_CLIENT = sql`SELECT c.id, c.tenant_id, t.name AS tenant_name, c.name, c.token_lifetime_seconds, c.jwks, c.federated_subject,
  c.federated_audience, c.created_at, c.updated_at, ${raw(TENANT_STATE_COLUMNS)}
  FROM oauth_clients c JOIN tenants t ON t.id = c.tenant_id`;
const SELECT_SECRET = sql`SELECT id, client_id, hint, created_at, expires_at, last_used_at FROM oauth_client_secrets`;

function toClient(row: ClientRow): OAuthClientRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tenantName: row.tenant_name,
    name: row.name,
    tokenLifetimeSeconds: Number(row.token_lifetime_seconds),
    jwks: row.jwks ?? undefined,
    federatedSubject: row.federated_subject ?? undefined,
    federatedAudience: row.federated_audience ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...toTenantState(row),
  };
}

const toSecret = (row: SecretRow): OAuthClientSecretRecord => ({
  id: row.id,
  clientId: row.client_id,
  hint: row.hint,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
});

/** The OAuthClientStore both stores share: the same SQL, run by each store's own driver. */
export function oauthClientQueries(run: RunSql, constraintOf: ConstraintOf): OAuthClientStore {
  const findClient = async (id: string) => {
    if (hasNul(id)) return undefined;
    const [row] = await run<ClientRow>(sql`${SELECT_CLIENT} WHERE c.id = ${id}`);
    return row && toClient(row);
  };
  const nullable = (value: string | undefined) => value ?? null;
  return {
    async createOAuthClient(client, at) {
      try {
        await run(sql`INSERT INTO oauth_clients (id, tenant_id, name, token_lifetime_seconds, jwks, federated_subject, federated_audience,
            created_at, updated_at)
          VALUES (${client.id}, ${client.tenantId}, ${client.name}, ${client.tokenLifetimeSeconds}, ${nullable(client.jwks)},
            ${nullable(client.federatedSubject)}, ${nullable(client.federatedAudience)}, ${at}, ${at})`);
      } catch (error) {
        if (constraintOf(error) === 'foreignKey') throw notFound(`tenant ${client.tenantId} not found`);
        throw error;
      }
      const stored = await findClient(client.id);
      if (!stored) throw notFound(`tenant ${client.tenantId} not found`);
      return stored;
    },
    findOAuthClient: findClient,
    async listOAuthClients(tenantId) {
      return (await run<ClientRow>(sql`${SELECT_CLIENT} WHERE c.tenant_id = ${tenantId} ORDER BY c.created_at, c.id`)).map(toClient);
    },
    async updateOAuthClient(id, s: OAuthClientSettings, at) {
      if (hasNul(id)) return undefined;
      const updated = await run(sql`UPDATE oauth_clients SET name = ${s.name}, token_lifetime_seconds = ${s.tokenLifetimeSeconds},
          jwks = ${nullable(s.jwks)}, federated_subject = ${nullable(s.federatedSubject)}, federated_audience = ${nullable(s.federatedAudience)},
          updated_at = ${at}
        WHERE id = ${id} RETURNING id`);
      return updated.length > 0 ? findClient(id) : undefined;
    },
    async deleteOAuthClient(id) {
      if (hasNul(id)) return false;
      // Its secrets go with it (ON DELETE CASCADE).
      return (await run(sql`DELETE FROM oauth_clients WHERE id = ${id} RETURNING id`)).length > 0;
    },
    async addOAuthClientSecret(s: NewOAuthClientSecret) {
      try {
        await run(sql`INSERT INTO oauth_client_secrets (id, client_id, hash, hint, created_at, expires_at)
          VALUES (${s.id}, ${s.clientId}, ${s.hash}, ${s.hint}, ${s.createdAt}, ${s.expiresAt})`);
      } catch (error) {
        if (constraintOf(error) === 'foreignKey') throw notFound(`OAuth client ${s.clientId} not found`);
        throw error;
      }
    },
    async listOAuthClientSecrets(clientId) {
      if (hasNul(clientId)) return [];
      return (await run<SecretRow>(sql`${SELECT_SECRET} WHERE client_id = ${clientId} ORDER BY created_at, id`)).map(toSecret);
    },
    async findOAuthClientSecret(clientId, hash) {
      if (hasNul(clientId) || hasNul(hash)) return undefined;
      const [row] = await run<SecretRow>(sql`${SELECT_SECRET} WHERE hash = ${hash} AND client_id = ${clientId}`);
      return row && toSecret(row);
    },
    async touchOAuthClientSecret(secretId, at) {
      await run(sql`UPDATE oauth_client_secrets SET last_used_at = ${at} WHERE id = ${secretId}`);
    },
    async deleteOAuthClientSecret(clientId, secretId) {
      if (hasNul(clientId) || hasNul(secretId)) return false;
      return (await run(sql`DELETE FROM oauth_client_secrets WHERE client_id = ${clientId} AND id = ${secretId} RETURNING id`)).length > 0;
    },
    async listOAuthSigningKeys() {
      return (await run<KeyRow>(sql`SELECT kid, private_jwk, created_at FROM oauth_signing_keys ORDER BY created_at, kid`)).map(
        (row): OAuthSigningKeyRecord => ({ kid: row.kid, privateJwk: row.private_jwk, createdAt: row.created_at }),
      );
    },
    async addOAuthSigningKey(key) {
      await run(
        sql`INSERT INTO oauth_signing_keys (kid, private_jwk, created_at) VALUES (${key.kid}, ${key.privateJwk}, ${key.createdAt})`,
      );
    },
    async deleteOAuthSigningKey(kid) {
      await run(sql`DELETE FROM oauth_signing_keys WHERE kid = ${kid}`);
    },
  };
}
