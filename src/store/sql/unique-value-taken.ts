import { uniqueness } from '../../errors/scim-error.ts';

/** 409 when a write would give a second resource the same value of a `uniqueness: server` attribute. */
export function uniqueValueTaken(attr: string) {
  return uniqueness(`the value of ${attr} is already in use (uniqueness "server")`);
}
