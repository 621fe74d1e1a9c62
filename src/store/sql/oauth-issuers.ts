import { notFound, uniqueness } from '../../errors/scim-error.ts';
import type { OAuthIssuerRecord, OAuthIssuerSettings, OAuthIssuerStore, SubjectAttribute } from '../ports/oauth-issuers.ts';
import { raw, sql } from './fragment.ts';
import { type ConstraintOf, hasNul, type RunSql } from './run.ts';
import { TENANT_STATE_COLUMNS, type TenantStateRow, toTenantState } from './tenant-state.ts';

interface IssuerRow extends TenantStateRow {
  readonly tenant_id: string;
  readonly tenant_name: string;
  readonly issuer: string;
  readonly jwks_url: string;
  readonly audience: string;
  readonly tenant_claim: string;
  readonly tenant_value: string;
  readonly algorithms: string;
  readonly clock_skew_seconds: number | string;
  readonly subject_attribute: string;
  readonly created_at: string;
  readonly updated_at: string;
}

const SELECT = sql`SELECT o.tenant_id, t.name AS tenant_name, o.issuer, o.jwks_url, o.audience, o.tenant_claim, o.tenant_value,
  o.algorithms, o.clock_skew_seconds, o.subject_attribute, o.created_at, o.updated_at, ${raw(TENANT_STATE_COLUMNS)}
  FROM oauth_issuers o JOIN tenants t ON t.id = o.tenant_id`;

function toRecord(row: IssuerRow): OAuthIssuerRecord {
  return {
    tenantId: row.tenant_id,
    tenantName: row.tenant_name,
    issuer: row.issuer,
    jwksUrl: row.jwks_url,
    audience: row.audience,
    tenantClaim: row.tenant_claim,
    tenantValue: row.tenant_value,
    algorithms: row.algorithms.split(','),
    clockSkewSeconds: Number(row.clock_skew_seconds),
    subjectAttribute: row.subject_attribute as SubjectAttribute,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...toTenantState(row),
  };
}

/** The OAuthIssuerStore both stores share: the same SQL, run by each store's own driver. */
export function oauthIssuerQueries(run: RunSql, constraintOf: ConstraintOf): OAuthIssuerStore {
  const findOne = async (tenantId: string) => {
    const [row] = await run<IssuerRow>(sql`${SELECT} WHERE o.tenant_id = ${tenantId}`);
    return row && toRecord(row);
  };
  return {
    async putOAuthIssuer(tenantId: string, s: OAuthIssuerSettings, at: string) {
      try {
        await run(sql`INSERT INTO oauth_issuers (tenant_id, issuer, jwks_url, audience, tenant_claim, tenant_value, algorithms,
            clock_skew_seconds, subject_attribute, created_at, updated_at)
          VALUES (${tenantId}, ${s.issuer}, ${s.jwksUrl}, ${s.audience}, ${s.tenantClaim}, ${s.tenantValue}, ${s.algorithms.join(',')},
            ${s.clockSkewSeconds}, ${s.subjectAttribute}, ${at}, ${at})
          ON CONFLICT (tenant_id) DO UPDATE SET issuer = excluded.issuer, jwks_url = excluded.jwks_url, audience = excluded.audience,
            tenant_claim = excluded.tenant_claim, tenant_value = excluded.tenant_value, algorithms = excluded.algorithms,
            clock_skew_seconds = excluded.clock_skew_seconds, subject_attribute = excluded.subject_attribute,
            updated_at = excluded.updated_at`);
      } catch (error) {
        const violated = constraintOf(error);
        if (violated === 'unique') {
          throw uniqueness(`another tenant already trusts issuer ${s.issuer} with ${s.tenantClaim} = "${s.tenantValue}"`);
        }
        if (violated === 'foreignKey') throw notFound(`tenant ${tenantId} not found`);
        throw error;
      }
      const stored = await findOne(tenantId);
      if (!stored) throw notFound(`tenant ${tenantId} not found`);
      return stored;
    },
    findOAuthIssuer: findOne,
    async findOAuthIssuersByIssuer(issuer: string) {
      // An issuer read from an unverified token may carry a U+0000, which PostgreSQL text cannot hold.
      if (hasNul(issuer)) return [];
      return (await run<IssuerRow>(sql`${SELECT} WHERE o.issuer = ${issuer} ORDER BY t.name`)).map(toRecord);
    },
    async listOAuthIssuers() {
      return (await run<IssuerRow>(sql`${SELECT} ORDER BY t.name`)).map(toRecord);
    },
    async deleteOAuthIssuer(tenantId: string) {
      return (await run(sql`DELETE FROM oauth_issuers WHERE tenant_id = ${tenantId} RETURNING tenant_id`)).length > 0;
    },
  };
}
