import { describe, expect, it } from 'vitest';
import { isGuessablePassword } from './password.js';

describe('isGuessablePassword', () => {
  it.each([
    'aaaaaaaaaa',
    '1111111111',
    '1234567890',
    '0987654321',
    '7890123456',
    'qwertyuiop',
    'QWERTYUIOP',
    'asdfghjkl',
    'abcdefghijkl',
    '1qaz2wsx3edc',
    'abcabcabcabc',
    '1212121212',
    'password123',
    'woaini1314',
    'iloveyou123',
  ])('refuses %s', (p) => expect(isGuessablePassword(p)).toBe(true));

  it.each(['harbour-lantern-42', 'correct-horse-battery', '华信科技2026春季', 'qwertyuiop-sunrise'])(
    'accepts %s',
    (p) => expect(isGuessablePassword(p)).toBe(false),
  );
});
