import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backOfficeOpenApiTypes, generatedTypesPath } from './openapi-types.js';

describe('the back-office SPA API client types', () => {
  it('are generated from the current OpenAPI document (run `npm run gen:api:back-office -w @app/web` when this fails)', { timeout: 300_000 }, async () => {
    expect(readFileSync(generatedTypesPath, 'utf8')).toBe(await backOfficeOpenApiTypes());
  });
});
