import { ApiProperty } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';

type Schema = {
  type?: string;
  format?: string;
  enum?: unknown[];
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  isArray?: boolean;
  required?: boolean;
  nullable?: boolean;
  example?: unknown;
  description?: string;
};

/**
 * Describes a DTO's fields in the OpenAPI document from its class-validator rules (type, choices,
 * lengths, bounds, whether it may be left out), so the page's DTO is documented exactly as it checks
 * input: one rule, in one place. `omit` leaves out fields the API has no use for (a form's own buttons);
 * `examples` and `descriptions` add what rules cannot say. Call once, where the DTO's API class is made.
 */
export function describeFromValidation<T extends object>(
  dto: new () => T,
  opts: { omit?: string[]; examples?: Record<string, unknown>; descriptions?: Record<string, string> } = {},
): void {
  const metas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const defaults = new dto() as Record<string, unknown>;
  const byField = new Map<string, Schema>();
  for (const m of metas) {
    const field = m.propertyName;
    if (opts.omit?.includes(field)) continue;
    const s = byField.get(field) ?? { required: true };
    byField.set(field, s);
    const [first] = (m.constraints ?? []) as unknown[];
    if (m.each) s.isArray = true;
    switch (m.name) {
      case 'isOptional':
        s.required = false;
        s.nullable = true;
        break;
      case 'isIn': {
        const values = first as unknown[];
        s.enum = values;
        s.type = typeof values[0] === 'number' ? 'integer' : 'string';
        break;
      }
      case 'isInt':
        s.type = 'integer';
        break;
      case 'isBoolean':
        s.type = 'boolean';
        break;
      case 'isDateString':
        s.type = 'string';
        s.format = 'date';
        break;
      case 'isUrl':
        s.type = 'string';
        s.format = 'uri';
        break;
      case 'maxLength':
        s.type ??= 'string';
        s.maxLength = first as number;
        break;
      case 'min':
        s.minimum = first as number;
        break;
      case 'max':
        s.maximum = first as number;
        break;
      case 'matches':
        s.type ??= 'string';
        s.pattern = String(first).replace(/^\/|\/[a-z]*$/g, '');
        break;
      default:
        s.type ??= 'string';
    }
  }
  for (const [field, s] of byField) {
    if (defaults[field] !== undefined) s.required = false;
    if (opts.examples && field in opts.examples) s.example = opts.examples[field];
    if (opts.descriptions?.[field]) s.description = opts.descriptions[field];
    const { isArray, ...schema } = s;
    ApiProperty({ ...schema, type: schema.type ?? 'string', ...(isArray ? { isArray: true } : {}) } as never)(
      dto.prototype,
      field,
    );
  }
}
