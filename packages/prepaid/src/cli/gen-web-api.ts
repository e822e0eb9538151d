// `npm run gen:api`: regenerate the workplace's API types from the prepaid OpenAPI document.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedTypesPath, prepaidOpenApiTypes } from '../web/openapi-types.js';

writeFileSync(generatedTypesPath, await prepaidOpenApiTypes());
console.log(`wrote ${fileURLToPath(generatedTypesPath)}`);
