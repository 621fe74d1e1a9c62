import { type Batch, type Copy, type Edge, keyOf, PositionConflictError, type StoredResource, type Target } from '../model.ts';

interface TenantCopy {
  position: number | undefined;
  readonly resources: Map<string, StoredResource>;
  readonly edges: Map<string, Edge>;
}

/** A copy in process memory: for tests, caches, and services that rebuild on start. */
export function memoryTarget(): Target {
  const tenants = new Map<string, TenantCopy>();
  const copyOf = (tenant: string) => {
    let copy = tenants.get(tenant);
    if (!copy) tenants.set(tenant, (copy = { position: undefined, resources: new Map(), edges: new Map() }));
    return copy;
  };
  return {
    async position(tenant) {
      return tenants.get(tenant)?.position;
    },
    async resources(tenant, keys) {
      const copy = copyOf(tenant);
      const out = new Map<string, StoredResource>();
      for (const key of keys) {
        const r = copy.resources.get(key);
        if (r) out.set(key, r);
      }
      return out;
    },
    async commit(tenant, batch: Batch) {
      const copy = copyOf(tenant);
      if (batch.from === undefined) {
        copy.resources.clear();
        copy.edges.clear();
      } else if (copy.position !== batch.from) {
        throw new PositionConflictError(tenant, batch.from, copy.position);
      }
      for (const d of batch.deleted) {
        copy.resources.delete(keyOf(d.kind, d.id));
        for (const [k, e] of copy.edges) if (e.group === d.id || e.member === d.id) copy.edges.delete(k);
      }
      for (const r of batch.put) copy.resources.set(keyOf(r.kind, r.id), r);
      for (const e of batch.edges) {
        const k = `${e.group}|${e.member}`;
        if (e.present) copy.edges.set(k, { group: e.group, member: e.member, memberKind: e.memberKind });
        else copy.edges.delete(k);
      }
      copy.position = batch.to;
    },
    async read(tenant): Promise<Copy> {
      const copy = copyOf(tenant);
      const all = [...copy.resources.values()];
      return {
        position: copy.position,
        users: all.filter((r) => r.kind === 'User'),
        groups: all.filter((r) => r.kind === 'Group'),
        edges: [...copy.edges.values()],
      };
    },
    async close() {},
  };
}
