import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { createOAuthClientService, type OAuthClientService, oauthClientView } from './oauth-clients.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A ScimError with this status and detail. */
function refused(status: number, detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.detail], [status, detail]);
    return true;
  };
}

/** RFC 7638 §3.2: the SHA-256 thumbprint of a JWK's required members in lexicographic order. */
function thumbprint(jwk: Record<string, unknown>): string {
  const members = jwk['kty'] === 'EC' ? ['crv', 'kty', 'x', 'y'] : jwk['kty'] === 'RSA' ? ['e', 'kty', 'n'] : ['crv', 'kty', 'x'];
  const json = `{${members.map((m) => `"${m}":"${jwk[m]}"`).join(',')}}`;
  return createHash('sha256').update(json).digest('base64url');
}

const publicJwk = (key: KeyObject) => key.export({ format: 'jwk' }) as Record<string, unknown>;

describe("scimd's own OAuth 2.0 clients (docs/oauth.md): the service behind the CLI, the admin API and the console", () => {
  let store: Store;
  let clients: OAuthClientService;
  let now = T0;
  const changes: string[] = [];
  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    await store.createTenant({ id: 't-1', name: 'acme', createdAt: iso(T0) });
    await store.createTenant({ id: 't-2', name: 'other', createdAt: iso(T0) });
    clients = createOAuthClientService({ store, clock: () => new Date(now), onChange: (id) => changes.push(id) });
  });
  after(() => store.close());

  it('a new client: an id, the defaults (1 h tokens), and a first secret shown once, valid 180 days, stored as its SHA-256', async () => {
    now = T0;
    const created = await clients.create('acme', undefined);
    assert.match(created.client.id, /^client_[0-9a-f]{24}$/);
    assert.deepEqual(
      [created.client.name, created.client.tokenLifetimeSeconds, created.client.jwks, created.client.tenantName],
      ['OAuth client', 3600, undefined, 'acme'],
    );
    const issued = created.issued!;
    assert.match(issued.secret, /^scimd_cs_[A-Za-z0-9_-]{43}$/);
    assert.match(issued.id, /^sec_[0-9a-f]{16}$/);
    assert.equal(issued.hint, issued.secret.slice(0, 13));
    assert.deepEqual([issued.createdAt, issued.expiresAt], [iso(T0), iso(T0 + 180 * DAY)]);
    const digest = createHash('sha256').update(issued.secret).digest('hex');
    assert.equal((await store.findOAuthClientSecret(created.client.id, digest))?.id, issued.id);
    assert.deepEqual(
      created.secrets.map((s) => [s.id, s.hint, s.expiresAt]),
      [[issued.id, issued.hint, issued.expiresAt]],
    );
    assert.ok(!JSON.stringify(created.secrets).includes(issued.secret), 'the listed secrets hold no secret');
  });

  it('every setting: name trimmed, token lifetime clamped to 1 to 6 hours, federated subject and audience, secret days', async () => {
    const created = await clients.create('acme', {
      name: '  Entra provisioning ',
      tokenLifetimeSeconds: '99999',
      federatedSubject: 'sub-1',
      federatedAudience: 'api://scimd',
      secretExpiresInDays: 730,
    });
    assert.deepEqual(
      [created.client.name, created.client.tokenLifetimeSeconds, created.client.federatedSubject, created.client.federatedAudience],
      ['Entra provisioning', 21_600, 'sub-1', 'api://scimd'],
    );
    assert.equal(created.issued!.expiresAt, iso(now + 730 * DAY));
    assert.equal((await clients.create('acme', { tokenLifetimeSeconds: 60 })).client.tokenLifetimeSeconds, 3600);
    assert.equal((await clients.create('acme', { tokenLifetimeSeconds: 7200 })).client.tokenLifetimeSeconds, 7200);
  });

  it('a client that signs RFC 7523 assertions needs no secret: secret false', async () => {
    const created = await clients.create('acme', { secret: false });
    assert.equal(created.issued, undefined);
    assert.deepEqual(created.secrets, []);
    await assert.rejects(clients.create('acme', { secret: 'no' }), refused(400, 'OAuth client: "secret" must be true or false'));
  });

  it('bodies: an object of known fields; text printable and bounded; numbers whole; secret days at most 730', async () => {
    await assert.rejects(clients.create('acme', [1]), refused(400, 'OAuth client: expected a JSON object'));
    await assert.rejects(clients.create('acme', 'x'), refused(400, 'OAuth client: expected a JSON object'));
    await assert.rejects(
      clients.create('acme', { name: 'a', colour: 'red', size: 1 }),
      refused(
        400,
        'OAuth client: unknown field(s) colour, size; known: name, tokenLifetimeSeconds, jwks, federatedSubject, federatedAudience, secret, secretExpiresInDays',
      ),
    );
    for (const name of ['', '   ', 'a\u0007b', 'x'.repeat(1025), 7]) {
      await assert.rejects(
        clients.create('acme', { name }),
        refused(400, 'OAuth client: "name" must be a non-empty string of at most 1024 printable characters'),
      );
    }
    assert.equal((await clients.create('acme', { name: 'x'.repeat(1024), secret: false })).client.name.length, 1024);
    for (const tokenLifetimeSeconds of [0, -5, 1.5, '1.5', 'soon', true]) {
      await assert.rejects(
        clients.create('acme', { tokenLifetimeSeconds }),
        refused(400, 'OAuth client: "tokenLifetimeSeconds" must be a whole number'),
      );
    }
    await assert.rejects(
      clients.create('acme', { secretExpiresInDays: 731 }),
      refused(400, 'OAuth client: "secretExpiresInDays" must be from 1 to 730 days'),
    );
    await assert.rejects(clients.create('nope', {}), refused(404, 'no tenant named "nope"'));
  });

  it('RFC 7523 §2.2 keys: a JWK Set, one JWK or a PEM key, stored with alg and the RFC 7638 thumbprint as kid', async () => {
    const ec = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
    const ed = publicJwk(generateKeyPairSync('ed25519').publicKey);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const withSet = await clients.create('acme', { jwks: { keys: [ec, { ...ed, kid: 'mine' }] }, secret: false });
    assert.deepEqual(JSON.parse(withSet.client.jwks!), {
      keys: [
        { ...ec, alg: 'ES384', kid: thumbprint(ec) },
        { ...ed, alg: 'EdDSA', kid: 'mine' },
      ],
    });
    const one = await clients.create('acme', { jwks: JSON.stringify({ ...ec, alg: 'ES384' }), secret: false });
    assert.deepEqual(
      JSON.parse(one.client.jwks!).keys.map((k: { alg: string }) => k.alg),
      ['ES384'],
    );
    const pem = await clients.create('acme', { jwks: `\n${rsa.export({ format: 'pem', type: 'spki' })}`, secret: false });
    const rsaJwk = publicJwk(rsa);
    assert.deepEqual(JSON.parse(pem.client.jwks!), { keys: [{ ...rsaJwk, alg: 'RS256', kid: thumbprint(rsaJwk) }] });
    const p256 = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const p521 = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey);
    const both = await clients.create('acme', { jwks: { keys: [p256, p521] }, secret: false });
    assert.deepEqual(
      JSON.parse(both.client.jwks!).keys.map((k: { alg: string }) => k.alg),
      ['ES256', 'ES512'],
    );
  });

  it('keys that cannot verify client assertions are refused, naming the key', async () => {
    const ec = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const privateEc = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const unusable =
      'OAuth client: "jwks" key 0: use an RSA, EC (P-256/384/521) or Ed25519 public key (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519)';
    const cases: [unknown, string][] = [
      ['not json', 'OAuth client: "jwks" must be a JWK Set {"keys":[…]}, a JWK or a PEM public key'],
      [{ keys: [] }, 'OAuth client: "jwks" must hold 1 to 10 keys'],
      [{ keys: Array.from({ length: 11 }, () => ec) }, 'OAuth client: "jwks" must hold 1 to 10 keys'],
      [{ keys: 'x' }, 'OAuth client: "jwks" must hold 1 to 10 keys'],
      [{ keys: [ec, 'x'] }, 'OAuth client: "jwks" key 1 is not a JWK'],
      [{ keys: [null] }, 'OAuth client: "jwks" key 0 is not a JWK'],
      [{ keys: [[ec]] }, 'OAuth client: "jwks" key 0 is not a JWK'],
      [privateEc, 'OAuth client: "jwks" key 0 is a private or secret key: register the public key only'],
      [{ kty: 'oct', k: 'c2VjcmV0' }, 'OAuth client: "jwks" key 0 is a private or secret key: register the public key only'],
      [{ ...ec, alg: 'HS256' }, unusable],
      [{ ...ec, crv: 'secp256k1' }, unusable],
      [{ kty: 'OKP', crv: 'X25519', x: 'abc' }, unusable],
      [
        '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
        'OAuth client: "jwks" holds a PEM public key that is not RSA, EC or Ed25519',
      ],
    ];
    for (const [jwks, detail] of cases) await assert.rejects(clients.create('acme', { jwks, secret: false }), refused(400, detail));
    await assert.rejects(
      clients.create('acme', { jwks: { ...ec, alg: 'RS256' }, secret: false }),
      (error: unknown) =>
        error instanceof ScimError &&
        error.status === 400 &&
        error.detail.startsWith('OAuth client: "jwks" key 0 cannot verify RS256 signatures: '),
    );
  });

  it('update changes what the body names, null clears an optional field, and caches are told', async () => {
    const ec = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const { client } = await clients.create('acme', {
      name: 'before',
      jwks: ec,
      federatedSubject: 's',
      federatedAudience: 'a',
      tokenLifetimeSeconds: 7200,
    });
    changes.length = 0;
    now = T0 + 1000;
    const renamed = await clients.update('acme', client.id, { name: 'after' });
    assert.deepEqual(
      [
        renamed.client.name,
        renamed.client.tokenLifetimeSeconds,
        renamed.client.jwks,
        renamed.client.federatedSubject,
        renamed.client.federatedAudience,
      ],
      ['after', 7200, client.jwks, 's', 'a'],
    );
    assert.equal(renamed.client.updatedAt, iso(T0 + 1000));
    const cleared = await clients.update('acme', client.id, {
      jwks: null,
      federatedSubject: null,
      federatedAudience: null,
      tokenLifetimeSeconds: 3600,
    });
    assert.deepEqual(
      [
        cleared.client.name,
        cleared.client.tokenLifetimeSeconds,
        cleared.client.jwks,
        cleared.client.federatedSubject,
        cleared.client.federatedAudience,
      ],
      ['after', 3600, undefined, undefined, undefined],
    );
    assert.deepEqual(changes, [client.id, client.id]);
    await assert.rejects(
      clients.update('acme', client.id, { secret: false }),
      refused(400, 'OAuth client: unknown field(s) secret; known: name, tokenLifetimeSeconds, jwks, federatedSubject, federatedAudience'),
    );
  });

  it('a client of another tenant is 404, as one that does not exist', async () => {
    const { client } = await clients.create('acme', { secret: false });
    const missing = `tenant "other" has no OAuth client "${client.id}"`;
    await assert.rejects(clients.show('other', client.id), refused(404, missing));
    await assert.rejects(clients.update('other', client.id, {}), refused(404, missing));
    await assert.rejects(clients.addSecret('other', client.id, {}), refused(404, missing));
    await assert.rejects(clients.revokeSecret('other', client.id, 'sec_x'), refused(404, missing));
    await assert.rejects(clients.remove('other', client.id), refused(404, missing));
    await assert.rejects(clients.show('acme', 'client_nope'), refused(404, 'tenant "acme" has no OAuth client "client_nope"'));
    assert.deepEqual(await clients.list('other'), []);
    assert.ok((await clients.list('acme')).some((c) => c.client.id === client.id));
    assert.equal((await clients.show('acme', client.id)).client.id, client.id);
  });

  it('rotation: up to 5 unexpired secrets at once; an expired one does not count; revoking frees a place', async () => {
    now = T0;
    const { client, issued } = await clients.create('acme', { secretExpiresInDays: 1 });
    const more = [];
    for (let i = 0; i < 4; i++) more.push(await clients.addSecret('acme', client.id, { expiresInDays: 30 }));
    assert.equal(more[0]!.expiresAt, iso(T0 + 30 * DAY));
    const full = `OAuth client "${client.id}" already has 5 unexpired secrets: revoke one first`;
    await assert.rejects(clients.addSecret('acme', client.id, {}), refused(400, full));
    now = T0 + DAY;
    const sixth = await clients.addSecret('acme', client.id, undefined);
    assert.equal(sixth.expiresAt, iso(T0 + DAY + 180 * DAY));
    await assert.rejects(clients.addSecret('acme', client.id, {}), refused(400, full));
    await clients.revokeSecret('acme', client.id, more[0]!.id);
    await clients.addSecret('acme', client.id, {});
    await assert.rejects(
      clients.revokeSecret('acme', client.id, more[0]!.id),
      refused(404, `OAuth client "${client.id}" has no secret "${more[0]!.id}"`),
    );
    await assert.rejects(
      clients.addSecret('acme', client.id, { lifetime: 1 }),
      refused(400, 'OAuth client: unknown field(s) lifetime; known: expiresInDays'),
    );
    const view = oauthClientView(await clients.show('acme', client.id), new Date(now));
    assert.deepEqual(
      view.secrets.filter((s) => s.id === issued!.id).map((s) => [s.expired, s.lastUsedAt]),
      [[true, null]],
    );
  });

  it('the view shows hints, never secrets; keys and federation only when set', async () => {
    now = T0;
    const { client, issued } = await clients.create('acme', { name: 'viewed' });
    const view = oauthClientView(await clients.show('acme', client.id), new Date(T0 + 180 * DAY - 1));
    assert.deepEqual(view, {
      clientId: client.id,
      tenant: 'acme',
      name: 'viewed',
      tokenLifetimeSeconds: 3600,
      secrets: [
        { id: issued!.id, hint: issued!.hint, createdAt: iso(T0), expiresAt: iso(T0 + 180 * DAY), expired: false, lastUsedAt: null },
      ],
      createdAt: iso(T0),
      updatedAt: iso(T0),
    });
    assert.equal(oauthClientView(await clients.show('acme', client.id), new Date(T0 + 180 * DAY)).secrets[0]!.expired, true);
    const ec = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const full = await clients.create('acme', { jwks: ec, federatedSubject: 's', federatedAudience: 'a', secret: false });
    const shown = oauthClientView(full, new Date(T0));
    assert.deepEqual([shown.jwks, shown.federatedSubject, shown.federatedAudience], [JSON.parse(full.client.jwks!), 's', 'a']);
  });

  it('removing a client deletes it with its secrets and tells the caches', async () => {
    const { client } = await clients.create('acme', {});
    changes.length = 0;
    await clients.remove('acme', client.id);
    assert.deepEqual(changes, [client.id]);
    assert.equal(await store.findOAuthClient(client.id), undefined);
    assert.deepEqual(await store.listOAuthClientSecrets(client.id), []);
  });
});
