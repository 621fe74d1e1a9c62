import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { type Harness, startHarness, USER_SCHEMA } from '../helpers/harness.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PROV = 'urn:ietf:params:scim:event:prov';
const RECEIVER_AUDIENCE = 'https://receiver.example.com/scim-events';

type Claims = JWTPayload & { sub_id: { uri: string }; events: Record<string, unknown>; tenant: string };

/**
 * An RFC 8935 SET receiver on port 0 that verifies every SET against scimd's JWKS endpoint,
 * refuses the first one (400 invalid_key) to make the relay retry, and accepts the rest (202).
 */
function receiver(jwksUrl: () => URL) {
  const accepted: Claims[] = [];
  const refused: string[] = [];
  const problems: string[] = [];
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const reject = (status: number, err: string, description: string) => {
        problems.push(`${err}: ${description}`);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ err, description }));
      };
      if (req.headers['content-type'] !== 'application/secevent+jwt')
        return reject(400, 'invalid_request', `content-type ${req.headers['content-type']}`);
      if (req.headers.authorization !== 'Bearer receiver-token') return reject(401, 'authentication_failed', 'no or wrong bearer token');
      const token = Buffer.concat(chunks).toString('utf8');
      try {
        jwks ??= createRemoteJWKSet(jwksUrl());
        const { payload } = await jwtVerify(token, jwks, {
          audience: RECEIVER_AUDIENCE,
          issuer: 'https://scim.example.com/scim/v2',
          typ: 'secevent+jwt',
        });
        if (refused.length === 0) {
          refused.push(String(payload.jti));
          res
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ err: 'invalid_key', description: 'key not trusted yet' }));
          return;
        }
        accepted.push(payload as Claims);
        res.writeHead(202).end();
      } catch (error) {
        reject(400, 'invalid_request', (error as Error).message);
      }
    });
  });
  return { server, accepted, refused, problems };
}

async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('rfc9967 security events pushed by rfc8935 to an HTTP receiver', () => {
  let h: Harness;
  let scimd: URL;
  const r = receiver(() => new URL('/.well-known/scim-set-jwks.json', scimd));

  before(async () => {
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    const port = (r.server.address() as AddressInfo).port;
    h = await startHarness(
      { SCIMD_EVENT_SINKS: `set+http://127.0.0.1:${port}/scim-events#aud=${encodeURIComponent(RECEIVER_AUDIENCE)}&token=receiver-token` },
      { server: { relay: { pollMs: 25, backoffBaseMs: 20, backoffMaxMs: 100 } } },
    );
    scimd = new URL(await h.server.app.listen({ port: 0, host: '127.0.0.1' }));
  });
  after(async () => {
    await h.close();
    await new Promise((resolve) => r.server.close(resolve));
  });

  it('delivers each change as a SET whose signature verifies against the JWKS endpoint; a refused SET is retried', async () => {
    const created = await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], userName: 'pushed', externalId: 'ext-pushed' } });
    const id = created.body.id as string;
    await h.request('PATCH', `/Users/${id}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] },
    });
    await h.request('POST', '/Users', { token: h.tokenB, body: { schemas: [USER_SCHEMA], userName: 'other-tenant' } });
    await h.request('DELETE', `/Users/${id}`);

    await until(() => r.accepted.length >= 4, 'four accepted SETs');
    assert.deepEqual(
      r.problems.filter((p) => !p.startsWith('invalid_key')),
      [],
      'every SET verified',
    );
    const acme = r.accepted.filter((c) => c.tenant === 'acme');
    assert.deepEqual(
      acme.map((c) => Object.keys(c.events)),
      [[`${PROV}:create:full`], [`${PROV}:patch:full`, `${PROV}:deactivate`], [`${PROV}:delete`]],
      'in order per tenant',
    );
    assert.ok(acme.every((c) => c.sub_id.uri === `/Users/${id}`));
    assert.equal(r.accepted.filter((c) => c.tenant === 'globex').length, 1);
    // The SET the receiver refused came again, with the same jti (RFC 8935: the jti names the SET).
    assert.equal(r.refused.length, 1);
    assert.ok(
      r.accepted.some((c) => c.jti === r.refused[0]),
      'the refused SET was retried and accepted',
    );
    assert.equal(new Set(r.accepted.map((c) => c.jti)).size, r.accepted.length);
  });
});
