import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { keyed, Trimmed } from '../../common/validation.js';
import { NotGuessable } from '../password.js';
import { PASSWORD_MIN } from './user.dto.js';

/** "Forgot your password?": the address to send a link to. */
export class ForgotPasswordDto {
  @Trimmed()
  @IsEmail({}, { message: keyed('validation.isEmail') })
  @MaxLength(200, { message: keyed('validation.maxLength', 'max') })
  email: string;
}

/** The new password chosen through a reset link, typed twice; held to the rules of every new password. */
export class NewPasswordDto {
  @IsString({ message: keyed('validation.required') })
  @MinLength(PASSWORD_MIN, { message: keyed('validation.passwordLength', 'min') })
  // The login form takes no longer password.
  @MaxLength(500, { message: keyed('validation.maxLength', 'max') })
  @NotGuessable()
  password: string;

  @IsString({ message: keyed('validation.required') })
  confirmPassword: string;
}
