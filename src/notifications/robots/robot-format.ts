import { createHmac } from 'node:crypto';

/**
 * The group robots of WeCom (企业微信) and DingTalk (钉钉): where they live, how a message to them
 * looks, and DingTalk's signature. Pure functions; RobotsService stores and sends.
 */
export const ROBOTS = ['wecom', 'dingtalk'] as const;
export type Robot = (typeof ROBOTS)[number];

/** The events an admin may send to the robots. */
export const ROBOT_EVENTS = ['threshold', 'sla_breach', 'vip_idle', 'digest'] as const;
export type RobotEvent = (typeof ROBOT_EVENTS)[number];

/** The official address of each robot's webhook: https, that host, that path. */
export const ROBOT_ORIGINS: Record<Robot, { origin: string; path: string; param: string }> = {
  wecom: { origin: 'https://qyapi.weixin.qq.com', path: '/cgi-bin/webhook/send', param: 'key' },
  dingtalk: { origin: 'https://oapi.dingtalk.com', path: '/robot/send', param: 'access_token' },
};

/**
 * Is `text` a webhook URL of `robot` at `origin` (the official one unless a test points the robots
 * elsewhere): that scheme, host and path, with its key, nothing else in it.
 */
export function isRobotUrl(robot: Robot, text: string, origin = ROBOT_ORIGINS[robot].origin): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  const { path, param } = ROBOT_ORIGINS[robot];
  return (
    url.origin === origin &&
    url.pathname === path &&
    !url.username &&
    !url.password &&
    !url.hash &&
    [...url.searchParams.keys()].join() === param &&
    /^[A-Za-z0-9_-]{8,128}$/.test(url.searchParams.get(param) ?? '')
  );
}

/** A DingTalk signing secret as the robot's page shows it. */
export const isDingtalkSecret = (s: string): boolean => /^SEC[A-Za-z0-9]{16,128}$/.test(s);

/** DingTalk's signature: base64 of HMAC-SHA256 with the secret of `timestamp + "\n" + secret`. */
export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

/** The DingTalk URL with `&timestamp=<ms>&sign=<url-encoded signature>` when a secret is set. */
export function signedDingtalkUrl(url: string, secret: string, timestamp: number): string {
  if (!secret) return url;
  return `${url}&timestamp=${timestamp}&sign=${encodeURIComponent(dingtalkSign(secret, timestamp))}`;
}

/**
 * User data made inert in markdown: the characters that format anywhere in a line get a backslash,
 * line breaks become spaces, and a value starting like a list item (`- `, `+ `, `1.`) has that start
 * escaped; so a name cannot make a heading, a list, a link or bold text of its own. Dots, dashes and
 * plus signs inside a value (12.5%, T-000123, ▲ +3%) are left as they are.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/([\\`*_[\]()#>~|<])/g, '\\$1')
    .replace(/^(\s*)([-+])/, '$1\\$2')
    .replace(/^(\s*\d+)\./, '$1\\.');
}

/** A message as both robots take it: a title, lines of markdown, an optional link into Kehu. */
export interface RobotText {
  /** The title in markdown (user data escaped), and as plain text (DingTalk's notification line). */
  title: string;
  plainTitle: string;
  lines: string[];
  link: string | null;
  linkLabel: string;
}

/** The markdown of a message: the title in bold, its lines, the link. */
function markdown(t: RobotText): string {
  const parts = [`**${t.title}**`, ...t.lines];
  if (t.link) parts.push(`[${t.linkLabel}](${t.link})`);
  return parts.join('\n\n');
}

/** The JSON body a robot takes for a message. */
export function robotBody(robot: Robot, t: RobotText): Record<string, unknown> {
  if (robot === 'wecom') return { msgtype: 'markdown', markdown: { content: markdown(t) } };
  return { msgtype: 'markdown', markdown: { title: t.plainTitle, text: markdown(t) } };
}

/** A webhook URL as the settings page shows it back: its key hidden but for its last four characters. */
export function maskedUrl(text: string): string {
  if (!text) return '';
  try {
    const url = new URL(text);
    for (const [k, v] of url.searchParams) url.searchParams.set(k, `…${v.slice(-4)}`);
    return decodeURIComponent(url.toString());
  } catch {
    return '…';
  }
}
