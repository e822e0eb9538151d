// `npm run gen:api:cabinet -w @app/web`: regenerate the cabinet SPA's API types from cabinet-front's OpenAPI document.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cabinetOpenApiTypes, generatedTypesPath } from './openapi-types.js';

const file = fileURLToPath(generatedTypesPath);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, await cabinetOpenApiTypes());
process.stdout.write(`wrote ${file}\n`);
