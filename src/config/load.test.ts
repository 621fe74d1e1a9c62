import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './load.ts';

describe('configuration from the environment', () => {
  it('has working defaults with no variables at all', () => {
    const config = loadConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, 'sqlite:./data/scimd.db');
    assert.equal(config.basePath, '/scim/v2');
    assert.equal(config.publicUrl, undefined);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.maxBodyBytes, 1048576);
    assert.equal(config.bootstrapToken, undefined);
    assert.equal(config.bulkMaxOperations, 1000);
    assert.equal(config.bulkMaxPayloadBytes, 4194304);
    assert.equal(config.eventContract, 2);
    assert.equal(loadConfig({ SCIMD_EVENT_CONTRACT: '1' }).eventContract, 1);
    assert.ok(Object.isFrozen(config));
    assert.deepEqual(config.requestLimits, {
      maxJsonDepth: 32,
      filter: { maxLength: 4096, maxDepth: 32 },
      maxPatchOperations: 1000,
      attributeList: { maxLength: 4096, maxNames: 100 },
    });
    assert.ok(Object.isFrozen(config.requestLimits) && Object.isFrozen(config.requestLimits.filter));
  });

  it('reads every request limit from its own variable', () => {
    const { requestLimits } = loadConfig({
      SCIMD_MAX_JSON_DEPTH: '16',
      SCIMD_MAX_FILTER_LENGTH: '1024',
      SCIMD_MAX_FILTER_DEPTH: '8',
      SCIMD_MAX_PATCH_OPERATIONS: '50',
      SCIMD_MAX_ATTRIBUTE_LIST_LENGTH: '512',
      SCIMD_MAX_ATTRIBUTE_NAMES: '20',
    });
    assert.deepEqual(requestLimits, {
      maxJsonDepth: 16,
      filter: { maxLength: 1024, maxDepth: 8 },
      maxPatchOperations: 50,
      attributeList: { maxLength: 512, maxNames: 20 },
    });
  });

  it('normalises the base path and the public URL', () => {
    const config = loadConfig({ SCIMD_BASE_PATH: 'scim/', SCIMD_PUBLIC_URL: 'https://id.example.com/tenant-x/' });
    assert.equal(config.basePath, '/scim');
    assert.equal(config.publicUrl, 'https://id.example.com/tenant-x');
  });

  it('takes RFC 9967 SET push sinks (no webhook secret needed) and the SET key file path', () => {
    const config = loadConfig({
      SCIMD_EVENT_SINKS: 'set+https://receiver.example.com/events#aud=urn:r',
      SCIMD_SET_SIGNING_KEYS: ' /etc/scimd/set-keys.json ',
    });
    assert.deepEqual(config.eventSinks, ['set+https://receiver.example.com/events#aud=urn:r']);
    assert.equal(config.setSigningKeys, '/etc/scimd/set-keys.json');
    assert.equal(loadConfig({}).setSigningKeys, undefined);
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ SCIMD_PORT: '80a' }, /SCIMD_PORT must be a whole number/],
    [{ SCIMD_PORT: '70000' }, /SCIMD_PORT must be between 0 and 65535/],
    [{ SCIMD_LOG_LEVEL: 'loud' }, /SCIMD_LOG_LEVEL must be one of/],
    [{ SCIMD_DATABASE_URL: 'mysql://x' }, /SCIMD_DATABASE_URL must start with sqlite: or postgres:\/\//],
    [{ SCIMD_PUBLIC_URL: 'not a url' }, /SCIMD_PUBLIC_URL must be an absolute/],
    [{ SCIMD_PUBLIC_URL: 'ftp://x' }, /SCIMD_PUBLIC_URL must be an http or https URL/],
    [{ SCIMD_MAX_BODY_BYTES: '10' }, /SCIMD_MAX_BODY_BYTES must be between/],
    [{ SCIMD_BOOTSTRAP_TOKEN: 'short' }, /at least 16 characters/],
    [{ SCIMD_BULK_MAX_OPERATIONS: '0' }, /SCIMD_BULK_MAX_OPERATIONS must be between 1 and/],
    [{ SCIMD_BULK_MAX_PAYLOAD_BYTES: 'lots' }, /SCIMD_BULK_MAX_PAYLOAD_BYTES must be a whole number/],
    [{ SCIMD_BASE_PATH: '/scim v2' }, /SCIMD_BASE_PATH must be a URL path/],
    [{ SCIMD_ADMIN_TOKEN: 'short' }, /SCIMD_ADMIN_TOKEN must be at least 16 characters/],
    [
      { SCIMD_ADMIN_TOKEN: 'the-same-secret-twice', SCIMD_BOOTSTRAP_TOKEN: 'the-same-secret-twice' },
      /SCIMD_ADMIN_TOKEN must differ from SCIMD_BOOTSTRAP_TOKEN/,
    ],
    [{ SCIMD_RATE_LIMIT_TENANT: 'fast' }, /SCIMD_RATE_LIMIT_TENANT must be a whole number/],
    [{ SCIMD_RATE_LIMIT_TOKEN: '10', SCIMD_RATE_LIMIT_TOKEN_BURST: '0' }, /SCIMD_RATE_LIMIT_TOKEN_BURST must be at least 1/],
    [{ SCIMD_MAX_JSON_DEPTH: '2' }, /SCIMD_MAX_JSON_DEPTH must be between 8 and 1000/],
    [{ SCIMD_MAX_FILTER_DEPTH: '0' }, /SCIMD_MAX_FILTER_DEPTH must be between 4 and 256/],
    [{ SCIMD_MAX_PATCH_OPERATIONS: 'many' }, /SCIMD_MAX_PATCH_OPERATIONS must be a whole number/],
    [{ SCIMD_EVENT_CONTRACT: '3' }, /SCIMD_EVENT_CONTRACT must be 1 or 2/],
    [{ SCIMD_EVENT_PUBLISH_TIMEOUT_MS: '50' }, /SCIMD_EVENT_PUBLISH_TIMEOUT_MS must be between 100 and 600000/],
    [
      { SCIMD_HEADERS_TIMEOUT_MS: '20000', SCIMD_REQUEST_TIMEOUT_MS: '10000' },
      /SCIMD_HEADERS_TIMEOUT_MS must not exceed SCIMD_REQUEST_TIMEOUT_MS/,
    ],
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)} with one clear message`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }
});
