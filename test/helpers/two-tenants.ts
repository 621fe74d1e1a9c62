import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TenantData } from './endpoints.ts';
import { ENTERPRISE, groupBody, type Harness, USER_SCHEMA } from './harness.ts';

/**
 * Gives the tenant of `token` a user and a group (the user a member), with `marker` in every
 * free-text attribute, so that any leak of either resource shows as the marker in a response.
 * `label` is the tenant's name.
 */
export async function seedTenant(h: Harness, token: string, label: string): Promise<TenantData> {
  const marker = `${label}-marker-${randomUUID()}`;
  const userName = `${label}.user@example.com`;
  const externalId = `${label}-ext-${randomUUID()}`;
  const user = await h.request('POST', '/Users', {
    token,
    body: {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName,
      externalId,
      displayName: `${marker} display`,
      nickName: marker,
      title: marker,
      name: { givenName: marker, familyName: label },
      emails: [{ value: `${marker}@example.com`, type: 'work', primary: true }],
      password: `${marker}-password`,
      [ENTERPRISE]: { department: marker, employeeNumber: marker },
    },
  });
  assert.equal(user.status, 201, user.raw);
  // Not the marker: other tenants may legitimately send this name (uniqueness is per tenant).
  const groupName = `${label} group ${randomUUID()}`;
  const group = await h.request('POST', '/Groups', { token, body: groupBody(groupName, [user.body.id]) });
  assert.equal(group.status, 201, group.raw);
  return { userId: user.body.id, userName, externalId, groupId: group.body.id, groupName, marker, tenant: label };
}

/** Everything a tenant holds, seen through its own token: resources with members, and its events. */
export async function snapshotTenant(h: Harness, token: string): Promise<string> {
  const users = await h.request('GET', '/Users?count=1000&sortBy=userName', { token });
  const groups = await h.request('GET', '/Groups?count=1000&sortBy=displayName&attributes=displayName,members,meta', { token });
  const events = await h.request('GET', '/Events?after=0&count=1000', { token });
  for (const res of [users, groups, events]) assert.equal(res.status, 200, res.raw);
  return JSON.stringify([users.body, groups.body, events.body]);
}
