import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { databaseUnreachable } from './exception.filter.js';

/** An error as the pg driver makes one: a message and a code (SQLSTATE, or the socket's). */
const pgError = (message: string, code?: string) => Object.assign(new Error(message), { code });

describe('databaseUnreachable', () => {
  it.each([
    [
      'refused connections (PostgreSQL stopped)',
      pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    ],
    ['a connection the pool could not open in time', new Error('timeout exceeded when trying to connect')],
    ['a connection cut under a query', new Error('Connection terminated unexpectedly')],
    [
      'a session ended by a shutdown (57P01), as TypeORM wraps it',
      new QueryFailedError(
        'SELECT 1',
        [],
        pgError('terminating connection due to administrator command', '57P01'),
      ),
    ],
    ['a server starting or stopping (57P03)', pgError('the database system is shutting down', '57P03')],
    ['a connection exception (class 08)', pgError('connection failure', '08006')],
    [
      'the cause of a wrapping error',
      new Error('could not load the session', { cause: pgError('x', 'ECONNREFUSED') }),
    ],
    ['one of several addresses tried', new AggregateError([pgError('x', 'ECONNREFUSED')], 'all failed')],
  ])('counts %s', (_, err) => {
    expect(databaseUnreachable(err)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], pgError('duplicate key', '23505'))],
    ['a syntax error', pgError('syntax error at or near', '42601')],
    ['a plain error', new Error('something else')],
    ['no error at all', undefined],
    ['a string', 'ECONNREFUSED'],
  ])('does not count %s', (_, err) => {
    expect(databaseUnreachable(err)).toBe(false);
  });
});
