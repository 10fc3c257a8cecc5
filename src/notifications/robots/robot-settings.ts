import {
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  ValidateBy,
} from 'class-validator';
import { Transform } from 'class-transformer';
import { LOCALES, type Locale } from '../../common/roles.js';
import { IntOrNull, keyed, Trimmed } from '../../common/validation.js';
import { isDingtalkSecret, isRobotUrl, type Robot, ROBOT_EVENTS, type RobotEvent } from './robot-format.js';

/** Empty (keep the saved one), `-` (remove it), or a valid value. */
const keptOr = (name: string, valid: (s: string) => boolean, messageKey: string) =>
  ValidateBy({
    name,
    validator: {
      validate: (v: unknown) =>
        v === null || v === undefined || v === '' || v === '-' || (typeof v === 'string' && valid(v)),
      defaultMessage: keyed(messageKey),
    },
  });
const RobotUrl = (robot: Robot) =>
  keptOr(`${robot}Url`, (s) => isRobotUrl(robot, s), `robots.url_invalid_${robot}`);

/**
 * The group robots' section of /admin/settings: the WeCom and DingTalk webhook URLs, DingTalk's
 * signing secret, which events go to them and in which language. The URLs carry the robot's key and
 * are as secret as the signing secret: the page never shows them back in full (see `secrets`).
 */
export interface RobotSettings {
  wecomUrl: string;
  dingtalkUrl: string;
  dingtalkSecret: string;
  events: RobotEvent[];
  locale: Locale;
}

export const ROBOT_SETTINGS_KEY = 'group_robots';

/** The fields kept secret: shown masked, an empty field keeps the saved value, `-` removes it. */
export const ROBOT_SECRETS = ['wecomUrl', 'dingtalkUrl', 'dingtalkSecret'] as const;

export const ROBOT_DEFAULTS: RobotSettings = {
  wecomUrl: '',
  dingtalkUrl: '',
  dingtalkSecret: '',
  events: [...ROBOT_EVENTS],
  locale: 'zh-CN',
};

/** The form of the section; the URLs and the secret are checked by RobotsService (they may be kept). */
export class RobotSettingsDto implements RobotSettings {
  @Trimmed()
  @IsOptional()
  @IsString()
  @MaxLength(500, { message: keyed('validation.maxLength', 'max') })
  @RobotUrl('wecom')
  wecomUrl: string = '';

  @Trimmed()
  @IsOptional()
  @IsString()
  @MaxLength(500, { message: keyed('validation.maxLength', 'max') })
  @RobotUrl('dingtalk')
  dingtalkUrl: string = '';

  @Trimmed()
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: keyed('validation.maxLength', 'max') })
  @keptOr('dingtalkSecret', isDingtalkSecret, 'robots.secret_invalid')
  dingtalkSecret: string = '';

  /** Checkboxes: none ticked posts nothing. */
  @Transform(({ value }: { value: unknown }) =>
    value === undefined || value === null || value === '' ? [] : Array.isArray(value) ? value : [value],
  )
  @IsArray()
  @ArrayUnique()
  @IsIn(ROBOT_EVENTS, { each: true, message: keyed('validation.invalid') })
  events: RobotEvent[] = [];

  @IsIn(LOCALES, { message: keyed('validation.invalid') })
  locale: Locale = 'zh-CN';

  @IntOrNull()
  @IsInt()
  version: number;
}
