// A route validator that neither coerces nor strips, for a switch an operator flips. Fastify's default Ajv
// turns null, 0 or "false" into false and silently drops unknown fields; on a sold-out flag a guessed value
// changes the menu for every caller, so such a body is refused (422) instead. Opt-in per route:
// `validatorCompiler: strictValidatorCompiler`. Errors keep Ajv's shape, so error-handler.ts words them.
import type { FastifySchema, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

export const strictValidatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema }) => {
  const validator = Compile(schema as TSchema);
  return (data: unknown) =>
    validator.Check(data) ? { value: data } : { error: toAjvErrors(validator.Errors(data)) };
};

/** TypeBox reports a missing or unknown field its own way; Ajv's form names the field in the message. */
function toAjvErrors(errors: readonly FastifySchemaValidationError[]): FastifySchemaValidationError[] {
  const out: FastifySchemaValidationError[] = [];
  for (const error of errors) {
    const { keyword, instancePath, schemaPath, params } = error;
    if (keyword === 'required' && Array.isArray(params.requiredProperties)) {
      for (const missingProperty of params.requiredProperties as unknown[])
        out.push({ keyword, instancePath, schemaPath, params: { missingProperty } });
    } else if (keyword === 'additionalProperties' && Array.isArray(params.additionalProperties)) {
      for (const name of params.additionalProperties as unknown[]) {
        out.push({
          keyword,
          instancePath: `${instancePath}/${String(name)}`,
          schemaPath,
          params: {},
          message: 'is not a field of this request',
        });
      }
    } else if (!(keyword === 'boolean' && schemaPath.endsWith('/additionalProperties'))) {
      // (TypeBox also reports each unknown field as "schema is false"; the entry above already names it.)
      out.push(error);
    }
  }
  return out;
}
