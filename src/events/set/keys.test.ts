import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, generateSecret, jwtVerify } from 'jose';
import { ConfigError } from '../../config/load.ts';
import { openStore } from '../../store/open.ts';
import type { SetClaims } from './claims.ts';
import { loadSetSigner } from './keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'scimd-set-keys-'));
const claims: SetClaims = {
  iss: 'https://scim.example.com/scim/v2',
  iat: 1_700_000_000,
  jti: 'e1',
  aud: 'urn:receiver',
  txn: 't1',
  toe: 1_700_000_000,
  sub_id: { format: 'scim', uri: '/Users/1' },
  events: { 'urn:ietf:params:scim:event:prov:delete': {} },
  tenant: 'acme',
};
const noStore = { setSigningKeys: async () => assert.fail('a key file needs no stored key') } as never;

function keyFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function privateJwk(alg: 'ES256' | 'RS256' | 'EdDSA', kid?: string) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), ...(kid ? { kid } : {}) };
}

describe('SET signing keys (SCIMD_SET_SIGNING_KEYS)', () => {
  it('rotation: the first key of the file signs, every key is published without its private part', async () => {
    const next = await privateJwk('RS256', 'next-2026');
    const old = await privateJwk('ES256', 'old-2025');
    const signer = await loadSetSigner(keyFile('rotation.json', { keys: [next, old] }), noStore);
    assert.deepEqual(
      signer.jwks.keys.map((k) => [k.kid, k.alg, k.use, k.d]),
      [
        ['next-2026', 'RS256', 'sig', undefined],
        ['old-2025', 'ES256', 'sig', undefined],
      ],
    );
    const token = await signer.sign(claims);
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'RS256', kid: 'next-2026', typ: 'secevent+jwt' });
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: [...signer.jwks.keys] }), {
      audience: 'urn:receiver',
      typ: 'secevent+jwt',
    });
    assert.deepEqual(payload, { ...claims });
  });

  it('a key without kid gets its RFC 7638 thumbprint; Ed25519 signs with EdDSA', async () => {
    const signer = await loadSetSigner(keyFile('ed.json', { keys: [await privateJwk('EdDSA')] }), noStore);
    assert.match(String(signer.jwks.keys[0]!.kid), /^[A-Za-z0-9_-]{43}$/);
    assert.equal(decodeProtectedHeader(await signer.sign(claims)).alg, 'EdDSA');
  });

  const refusals: Array<[string, () => Promise<unknown>, RegExp]> = [
    ['a missing file', async () => join(dir, 'absent.json'), /cannot read .*ENOENT/],
    ['text that is not JSON', async () => keyFile('bad.json', 'not json'), /is not JSON/],
    ['an empty key set', async () => keyFile('empty.json', { keys: [] }), /at least one key/],
    [
      'a public key',
      async () => {
        const { publicKey } = await generateKeyPair('ES256', { extractable: true });
        return keyFile('public.json', { keys: [await exportJWK(publicKey)] });
      },
      /not a private key/,
    ],
    [
      'a shared secret',
      async () => keyFile('hmac.json', { keys: [{ ...(await exportJWK(await generateSecret('HS256', { extractable: true }))), d: 'x' }] }),
      /RSA, EC .* or Ed25519/,
    ],
    [
      'two keys with one kid',
      async () => keyFile('dup.json', { keys: [await privateJwk('ES256', 'same'), await privateJwk('ES256', 'same')] }),
      /share a kid/,
    ],
  ];
  for (const [what, file, message] of refusals) {
    it(`refuses ${what} with one clear configuration error`, async () => {
      const path = (await file()) as string;
      await assert.rejects(loadSetSigner(path, noStore), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    });
  }

  it('without a key file, one ES256 key is generated and kept in the database: every handle signs with it', async () => {
    const url = `sqlite:${join(dir, 'generated', 'scimd.db')}`;
    const first = await openStore(url);
    await first.migrate();
    const second = await openStore(url);
    try {
      const a = await loadSetSigner(undefined, first);
      const b = await loadSetSigner(undefined, second);
      assert.equal(a.jwks.keys.length, 1);
      assert.equal(a.jwks.keys[0]!.alg, 'ES256');
      assert.deepEqual(b.jwks, a.jwks);
      await jwtVerify(await b.sign(claims), createLocalJWKSet({ keys: [...a.jwks.keys] }), { audience: 'urn:receiver' });
    } finally {
      await first.close();
      await second.close();
    }
  });
});
