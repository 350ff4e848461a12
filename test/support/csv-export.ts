import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

/**
 * GET of an `/exports/*.csv` route with the caller's key (none: unauthenticated), the body read
 * as text whatever its content type.
 */
export function getCsv(
  app: INestApplication,
  path: string,
  query: Record<string, string>,
  key?: string,
): request.Test {
  const call = request(app.getHttpServer()).get(path).query(query);
  if (key) call.set('authorization', `Bearer ${key}`);
  return call.buffer(true).parse((res, done) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => done(null, text));
  });
}
