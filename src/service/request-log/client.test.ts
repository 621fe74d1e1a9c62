import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guessClient } from './client.ts';

/** docs/console.md, "The request log": which identity provider sent a request (entra, okta, other). */
describe('the request log guesses the client', () => {
  it('from the User-Agent: Okta, or Microsoft, Azure, Entra, AAD', () => {
    assert.equal(guessClient('Okta SCIM Client 1.0.0', '', undefined), 'okta');
    assert.equal(guessClient('Microsoft.Identity.Provisioning', '', undefined), 'entra');
    assert.equal(guessClient('curl/8.5.0', '', undefined), 'other');
    assert.equal(guessClient(undefined, '', undefined), 'other');
  });

  it("from Entra's PascalCase PATCH ops, with or without blanks around the colon", () => {
    assert.equal(guessClient(undefined, '', '{"Operations":[{"op":"Replace","path":"active","value":"False"}]}'), 'entra');
    assert.equal(guessClient(undefined, '', '{"Operations": [{"op" : "Add", "path": "members"}]}'), 'entra');
    assert.equal(guessClient(undefined, '', '{"Operations": [{"op": "replace", "path": "active"}]}'), 'other');
  });

  it('from the aadOptscim062020 flag in the query', () => {
    assert.equal(guessClient(undefined, 'aadOptscim062020', undefined), 'entra');
    assert.equal(guessClient('Mozilla/5.0', 'filter=userName', '{}'), 'other');
  });
});
