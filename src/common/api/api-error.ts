import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class ApiErrorDetail {
  @ApiProperty({
    example: 'name',
    description: 'The field, as a path (`contacts.0.mobile`); `_` for the whole input.',
  })
  field: string;

  @ApiProperty({ example: 'This field is required.', description: 'In the token user’s language.' })
  message: string;
}

/** Every API error: `{statusCode, error, message, details[]}` (AppExceptionFilter writes it). */
export class ApiErrorBody {
  @ApiProperty({ example: 422 }) statusCode: number;
  @ApiProperty({ example: 'validation', description: 'A stable code.' }) error: string;
  @ApiProperty({ example: 'Please correct the fields marked below.' }) message: string;
  @ApiProperty({ type: [ApiErrorDetail] }) details: ApiErrorDetail[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'With a 409 for a stale `version`: the record as it now stands, as its GET answers it.',
  })
  current?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      'With a 409 for a new customer: the customers it may duplicate (id, name, owner, why it matched). Sent again with `confirmDuplicate` (and, for a manager, `duplicateReason`) to save it anyway, unless `blocked`.',
  })
  duplicates?: Record<string, unknown>[];

  @ApiPropertyOptional({
    description: 'With `duplicates`: a sales rep may not add a second copy of a customer another rep owns.',
  })
  blocked?: boolean;
}

/** The error answers any operation may give, each described once (see withCommonErrors). */
const COMMON_ERRORS: Record<string, { description: string; when: (op: Operation, path: string) => boolean }> =
  {
    '401': { description: 'No token, or one revoked or expired.', when: () => true },
    '403': { description: "The token's user may not do this.", when: () => true },
    '404': {
      description: "No such record, or not one the token's user may see.",
      when: (_op, path) => path.includes('{'),
    },
    '422': {
      description: 'The input is refused: `details` names each field and why.',
      when: (op) =>
        Boolean(op.requestBody) || (op.parameters ?? []).some((p) => 'in' in p && p.in === 'query'),
    },
    '429': {
      description: 'Too many requests from this token; `Retry-After` says in how many seconds to try again.',
      when: () => true,
    },
  };

interface Operation {
  requestBody?: unknown;
  parameters?: ({ in?: string } | { $ref: string })[];
  responses: Record<string, unknown>;
}

/**
 * Adds to each operation the error answers it may give and does not describe itself: 401 and 429 to
 * all, 403, 404 where the path names a record, 422 where it takes input. Each is an ApiErrorBody.
 */
export function withCommonErrors(paths: Record<string, Record<string, unknown>>): void {
  for (const [path, item] of Object.entries(paths))
    for (const op of Object.values(item) as Operation[]) {
      if (!op || typeof op !== 'object' || !('responses' in op)) continue;
      for (const [code, { description, when }] of Object.entries(COMMON_ERRORS))
        if (!op.responses[code] && when(op, path))
          op.responses[code] = {
            description,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiErrorBody' } } },
          };
    }
}
