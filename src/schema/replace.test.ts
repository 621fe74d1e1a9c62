import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { attr } from './attribute.ts';
import { carryOver } from './replace.ts';

const label = (name: string) => `urn:example:${name}`;

function refusedAsImmutable(name: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.scimType, 'mutability');
    assert.equal(error.detail, `attribute "${name}" is immutable`);
    return true;
  };
}

/**
 * RFC 7644 §3.5.1: a PUT replaces the resource, but immutable attributes may be set only when they
 * have no value, never changed, and may be left out (the stored value stays); readOnly ones are
 * the server's and stay whatever the PUT says. Definitions written out here (RFC 7643 §2.2).
 */
describe('RFC 7644 §3.5.1 PUT: what carries over from the stored resource', () => {
  const defs = [
    attr('badge', 'string', { mutability: 'immutable' }),
    attr('serial', 'string', { mutability: 'readOnly' }),
    attr('title', 'string'),
    attr('device', 'complex', {
      subAttributes: [
        attr('vendor', 'string', { mutability: 'immutable' }),
        attr('model', 'string'),
        attr('seen', 'string', { mutability: 'readOnly' }),
      ],
    }),
    attr('plain', 'complex', { subAttributes: [attr('a', 'string'), attr('b', 'string')] }),
    attr('slots', 'complex', { multiValued: true, subAttributes: [attr('id', 'string', { mutability: 'immutable' })] }),
  ];

  it('an immutable value left out is kept; the same value passes; another is 400 mutability naming it', () => {
    const next: Record<string, unknown> = { title: 'new' };
    carryOver(defs, next, { badge: 'B-1', title: 'old' }, label);
    assert.deepEqual(next, { title: 'new', badge: 'B-1' });
    const same: Record<string, unknown> = { badge: 'B-1' };
    carryOver(defs, same, { badge: 'B-1' }, label);
    assert.deepEqual(same, { badge: 'B-1' });
    assert.throws(() => carryOver(defs, { badge: 'B-2' }, { badge: 'B-1' }, label), refusedAsImmutable('urn:example:badge'));
  });

  it('an immutable attribute without a stored value (absent, null, inherited) may be set', () => {
    for (const prev of [{}, { badge: null }, Object.create({ badge: 'inherited' }) as Record<string, unknown>]) {
      const next: Record<string, unknown> = { badge: 'B-9' };
      carryOver(defs, next, prev, label);
      assert.deepEqual(next, { badge: 'B-9' });
    }
    const unset: Record<string, unknown> = {};
    carryOver(defs, unset, { badge: null }, label);
    assert.deepEqual(unset, {});
  });

  it('a readOnly value stays, whatever the PUT says, as a copy', () => {
    const stored = { serial: 'S-1', device: { vendor: 'acme', seen: 'x' } };
    const next: Record<string, unknown> = { serial: 'forged' };
    carryOver(defs, next, stored, label);
    assert.equal(next['serial'], 'S-1');
    const list = { serial: ['a'] };
    const copy: Record<string, unknown> = {};
    carryOver([attr('serial', 'string', { mutability: 'readOnly', multiValued: true })], copy, list, label);
    assert.deepEqual(copy, { serial: ['a'] });
    assert.notEqual(copy['serial'], list.serial);
  });

  it("a single-valued complex attribute's immutable sub-attributes carry over inside it; readWrite ones do not", () => {
    const next: Record<string, unknown> = { device: { model: 'X2' } };
    carryOver(defs, next, { device: { vendor: 'acme', model: 'X1', seen: 'yesterday' } }, label);
    assert.deepEqual(next['device'], { model: 'X2', vendor: 'acme' });
    const omitted: Record<string, unknown> = {};
    carryOver(defs, omitted, { device: { vendor: 'acme', model: 'X1' } }, label);
    assert.deepEqual(omitted, { device: { vendor: 'acme' } });
    assert.throws(
      () => carryOver(defs, { device: { vendor: 'other' } }, { device: { vendor: 'acme' } }, label),
      refusedAsImmutable('urn:example:device.vendor'),
    );
    const nothing: Record<string, unknown> = {};
    carryOver(defs, nothing, { device: { model: 'X1' } }, label);
    assert.deepEqual(nothing, {}, 'no immutable value stored: nothing to keep');
  });

  it('a complex attribute without immutable sub-attributes, a multi-valued one and a non-object are replaced as sent', () => {
    const next: Record<string, unknown> = { plain: { a: '2' }, slots: [{ id: 'new' }] };
    carryOver(defs, next, { plain: { a: '1', b: '1' }, slots: [{ id: 'old' }] }, label);
    assert.deepEqual(next, { plain: { a: '2' }, slots: [{ id: 'new' }] });
    const odd: Record<string, unknown> = {};
    carryOver(defs, odd, { device: 'not an object' }, label);
    assert.deepEqual(odd, {});
  });

  it('docs/limits.md: an attribute named __proto__ is never read from the stored document', () => {
    const next: Record<string, unknown> = {};
    carryOver([attr('__proto__', 'string', { mutability: 'readOnly' })], next, JSON.parse('{"__proto__": {"polluted": true}}'), label);
    assert.deepEqual(Object.keys(next), []);
    assert.equal(Object.getPrototypeOf(next), Object.prototype);
    assert.equal(next['polluted'], undefined);
  });
});
