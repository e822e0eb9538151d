import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedTypesPath, prepaidOpenApiTypes } from './openapi-types.js';

describe('the workplace API client types', () => {
  it('are generated from the current OpenAPI document (run `npm run gen:api` when this fails)', async () => {
    expect(readFileSync(generatedTypesPath, 'utf8')).toBe(await prepaidOpenApiTypes());
  });
});
