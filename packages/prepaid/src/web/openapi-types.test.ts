import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedTypesPath, prepaidOpenApiTypes } from './openapi-types.js';

describe('the workplace API client types', () => {
  // Building the app and the types takes ~3 s alone and over 30 s beside the whole suite on two cores.
  it('are generated from the current OpenAPI document (run `npm run gen:api` when this fails)', { timeout: 300_000 }, async () => {
    expect(readFileSync(generatedTypesPath, 'utf8')).toBe(await prepaidOpenApiTypes());
  });
});
