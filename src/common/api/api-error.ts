import { ApiProperty } from '@nestjs/swagger';

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
}
