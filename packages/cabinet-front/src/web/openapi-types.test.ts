import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cabinetOpenApiTypes, generatedTypesPath } from './openapi-types.js';

describe('the cabinet SPA API client types', () => {
  it('are generated from the current OpenAPI document (run `npm run gen:api:cabinet -w @app/web` when this fails)', async () => {
    expect(readFileSync(generatedTypesPath, 'utf8')).toBe(await cabinetOpenApiTypes());
  }, 300_000);
});
