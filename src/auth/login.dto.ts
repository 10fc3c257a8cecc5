import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { keyed } from '../common/validation.js';

export class LoginDto {
  @IsString({ message: keyed('validation.required') })
  @MinLength(1, { message: keyed('validation.required') })
  @MaxLength(200)
  email: string;

  @IsString({ message: keyed('validation.required') })
  @MinLength(1, { message: keyed('validation.required') })
  @MaxLength(500)
  password: string;

  @IsOptional()
  @IsString()
  returnTo?: string;
}
