import type { Static, TObject, TSchema } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Reads a service's settings from the environment against a TypeBox schema.
 * Every wrong or missing value is reported, one line each, so an operator fixes them in one go
 * instead of discovering them one restart at a time.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends TObject>(schema: S, env: NodeJS.ProcessEnv = process.env): Static<S> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    // An empty variable means "not set": shells and compose files often export KEY= by accident.
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw));
  if (Value.Check(schema, converted)) return converted as Static<S>;
  throw new ConfigError(describeProblems(schema, converted as Record<string, unknown>));
}

function describeProblems(schema: TObject, value: Record<string, unknown>): string[] {
  // Each variable is checked on its own: a whole-object check stops at the first failure, and the
  // operator should see every problem in one run.
  const required = new Set(schema.required ?? []);
  const problems: string[] = [];
  for (const [key, field] of Object.entries(schema.properties)) {
    const got = value[key];
    if (got === undefined) {
      if (required.has(key)) problems.push(explain(key, field, got, 'is required'));
      continue;
    }
    const first = Value.Errors(field, got)[0];
    if (first) problems.push(explain(key, field, got, first.message));
  }
  return problems;
}

function explain(key: string, field: TSchema | undefined, got: unknown, message: string): string {
  const description = (field as { description?: string } | undefined)?.description;
  const hint = description ? ` (${description})` : '';
  if (got === undefined) return `${key} is required${hint}`;
  const allowed = allowedValues(field);
  const rule = allowed ? `must be one of ${allowed.join(', ')}` : message;
  return `${key} ${rule}, got ${JSON.stringify(got)}${hint}`;
}

function allowedValues(field: TSchema | undefined): string[] | undefined {
  const f = field as { enum?: unknown[]; anyOf?: Array<{ const?: unknown }> } | undefined;
  if (f?.enum) return f.enum.map(String);
  if (f?.anyOf?.every((s) => s.const !== undefined)) return f.anyOf.map((s) => String(s.const));
  return undefined;
}

/** For a service's main(): print the problems and exit 1, the contract ops scripts rely on. */
export function loadConfigOrExit<S extends TObject>(schema: S, env: NodeJS.ProcessEnv = process.env): Static<S> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(`config: ${problem}`);
      process.exit(1);
    }
    throw error;
  }
}
