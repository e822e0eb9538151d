// `npm run gen:api:back-office -w @app/web`: regenerate the back-office SPA's API types from cabinet-back's OpenAPI document.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backOfficeOpenApiTypes, generatedTypesPath } from './openapi-types.js';

const file = fileURLToPath(generatedTypesPath);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, await backOfficeOpenApiTypes());
process.stdout.write(`wrote ${file}\n`);
