import { CorrectDetailsFields, MeterReplacementFields, NoFields, TerminateContractFields } from '@app/cabinet-contracts';
import type { FieldProblem } from '@app/kernel';
import { Type, type TSchema } from 'typebox';
import { Value } from 'typebox/value';

/** The typed part of each kind of request, the same schemas the bus carries. Pure. */
export const LinkContractFields = Type.Object(
  {
    contractNumber: Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' }),
    applicantName: Type.String({ minLength: 1, maxLength: 300 }),
    taxId: Type.Optional(Type.String({ pattern: '^[0-9]{10}$|^[0-9]{12}$' })),
  },
  { additionalProperties: false },
);

const forms: Record<string, TSchema> = {
  link_contract: LinkContractFields,
  correct_details: CorrectDetailsFields,
  terminate_contract: TerminateContractFields,
  meter_replacement: MeterReplacementFields,
  free_form: NoFields,
  support: NoFields,
};

export function fieldProblems(kind: string, fields: unknown): FieldProblem[] {
  const schema = forms[kind];
  if (!schema) return [{ field: 'kind', code: 'enum', message: 'unknown kind' }];
  return [...Value.Errors(schema, fields)].slice(0, 20).map((e) => {
    const missing = e.keyword === 'required' ? ((e.params as { requiredProperties?: string[] }).requiredProperties ?? []) : [];
    const extra = e.keyword === 'additionalProperties' ? ((e.params as { additionalProperties?: string[] }).additionalProperties ?? []) : [];
    const name = [...missing, ...extra][0];
    return { field: `fields${e.instancePath}${name ? `/${name}` : ''}`, code: e.keyword === 'required' ? 'required' : e.keyword, message: e.message };
  });
}

/** A meter replacement that contradicts itself: readings of zones given twice, a new meter's reading beyond its dial. */
export function replacementProblems(fields: { newMeter: { digits: number; initialReadings: Array<{ zone: string; value: string }> }; oldMeter: { finalReadings: Array<{ zone: string }> } }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  fields.newMeter.initialReadings.forEach((r, i) => {
    if (r.value.split('.')[0]!.replace(/^0+(?=\d)/, '').length > fields.newMeter.digits) problems.push({ field: `fields/newMeter/initialReadings/${i}/value`, code: 'reading_exceeds_capacity', message: 'More digits than the new meter has' });
  });
  const dupes = (list: Array<{ zone: string }>, path: string) => list.forEach((r, i) => { if (list.findIndex((x) => x.zone === r.zone) !== i) problems.push({ field: `${path}/${i}/zone`, code: 'duplicate_zone', message: 'zone given twice' }); });
  dupes(fields.oldMeter.finalReadings, 'fields/oldMeter/finalReadings');
  dupes(fields.newMeter.initialReadings, 'fields/newMeter/initialReadings');
  return problems;
}
