import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, runCli, startServe, tempDatabaseUrl } from './process.ts';

const HR = 'urn:ietf:params:scim:schemas:extension:hr:2.0:User';

describe('scimd schema', () => {
  it('add-attribute with every option, list, remove-attribute and remove work on one database', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    assert.equal((await runCli(['tenants', 'create', 'acme'], env)).code, 0);
    const added = await runCli(
      [
        'schema',
        'add-attribute',
        '--tenant',
        'acme',
        '--resource',
        'User',
        '--schema',
        HR,
        '--name',
        'costCenter',
        '--type',
        'string',
        '--required',
        '--case-exact',
        '--mutability',
        'immutable',
        '--returned',
        'always',
        '--unique',
        'server',
        '--canonical',
        'A1,B2',
      ],
      env,
    );
    assert.equal(added.code, 0, added.stderr);
    const desk = await runCli(
      [
        'schema',
        'add-attribute',
        '--tenant',
        'acme',
        '--schema',
        HR,
        '--name',
        'desks',
        '--multi',
        '--sub',
        'building:string,floor:integer',
      ],
      env,
    );
    assert.equal(desk.code, 0, desk.stderr);

    const listed = await runCli(['schema', 'list', '--tenant', 'acme', '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const [extension] = JSON.parse(listed.stdout);
    assert.equal(extension.resourceType, 'User');
    assert.equal(extension.schema.id, HR);
    assert.deepEqual(extension.schema.attributes[0], {
      name: 'costCenter',
      type: 'string',
      multiValued: false,
      description: '',
      required: true,
      caseExact: true,
      mutability: 'immutable',
      returned: 'always',
      uniqueness: 'server',
      canonicalValues: ['A1', 'B2'],
    });
    assert.equal(extension.schema.attributes[1].type, 'complex');
    assert.equal(extension.schema.attributes[1].multiValued, true);
    assert.deepEqual(
      extension.schema.attributes[1].subAttributes.map((s: { name: string; type: string }) => `${s.name}:${s.type}`),
      ['building:string', 'floor:integer'],
    );
    assert.match(
      (await runCli(['schema', 'list', '--tenant', 'acme'], env)).stdout,
      /^RESOURCE\tSCHEMA\tREQUIRED\tATTRIBUTES\nUser\turn:.*:hr:2\.0:User\t\tcostCenter:string! desks:complex\[\]$/m,
    );

    const removedAttr = await runCli(['schema', 'remove-attribute', '--tenant', 'acme', '--schema', HR, '--name', 'desks'], env);
    assert.equal(removedAttr.code, 0, removedAttr.stderr);
    assert.doesNotMatch(removedAttr.stdout, /desks/);
    const removed = await runCli(['schema', 'remove', '--tenant', 'acme', '--schema', HR], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await runCli(['schema', 'list', '--tenant', 'acme'], env)).stdout.trim(), '');
  });

  it('import reads an RFC 7643 §7 schema file; bad input is one clear line and exit 1', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    await runCli(['tenants', 'create', 'acme'], env);
    const file = join(tmpdir(), `schema-${randomUUID()}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
        id: 'urn:example:params:scim:schemas:extension:team:2.0:Group',
        name: 'Team',
        description: 'Team data',
        attributes: [
          {
            name: 'costCode',
            type: 'string',
            multiValued: false,
            required: false,
            caseExact: false,
            mutability: 'readWrite',
            returned: 'default',
            uniqueness: 'none',
          },
        ],
      }),
    );
    const imported = await runCli(['schema', 'import', '--tenant', 'acme', file], env);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^Group\turn:example:params:scim:schemas:extension:team:2\.0:Group\tcostCode:string$/m);

    const badType = await runCli(['schema', 'add-attribute', '--tenant', 'acme', '--schema', HR, '--name', 'x', '--type', 'text'], env);
    assert.equal(badType.code, 1);
    assert.match(badType.stderr, /^scimd: x: type must be one of/m);
    const noTenant = await runCli(['schema', 'list', '--tenant', 'nope'], env);
    assert.equal(noTenant.code, 1);
    assert.match(noTenant.stderr, /no tenant named "nope"/);
    writeFileSync(file, '{ not json');
    const badFile = await runCli(['schema', 'import', '--tenant', 'acme', file], env);
    assert.equal(badFile.code, 1);
    assert.match(badFile.stderr, /^scimd: .*schema-.*\.json/m);
    const usage = await runCli(['schema', 'add-attribute', '--tenant', 'acme'], env);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /^scimd: required option '--schema <URN>' not specified$/m);
    assert.match(usage.stderr, /^Usage: scimd schema add-attribute \[options\]$/m);
  });

  it('a running server takes a CLI change without a restart', async () => {
    const token = 'bootstrap-token-for-schema-tests-0123456789';
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl(), SCIMD_BOOTSTRAP_TOKEN: token };
    const served = await startServe(env, freePort());
    try {
      const headers = { authorization: `Bearer ${token}` };
      const schemaUrl = `${served.url}/Schemas/${HR}`;
      assert.equal((await fetch(schemaUrl, { headers })).status, 404);
      const added = await runCli(
        ['schema', 'add-attribute', '--tenant', 'default', '--schema', HR, '--name', 'level', '--type', 'integer'],
        env,
      );
      assert.equal(added.code, 0, added.stderr);
      const deadline = Date.now() + 5000;
      let status = 404;
      while (status !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await fetch(schemaUrl, { headers })).status;
      }
      assert.equal(status, 200, 'the server published the new extension');
    } finally {
      await served.stop();
    }
  });
});
