import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Express, Request, Response } from 'express';
import { withCommonErrors } from './api-error.js';

/** Where the API's routes live: the document holds these, and every one of them. */
export const API_ROOT = '/api/v1/';

/** swagger-ui as @nestjs/swagger ships it, served from this server (no CDN). */
const SWAGGER_UI_DIR = dirname(
  createRequire(import.meta.resolve('@nestjs/swagger')).resolve('swagger-ui-dist/package.json'),
);

const INTRO = `Kehu's JSON API. Every request carries a personal token (My account → API tokens) as
\`Authorization: Bearer <token>\` and acts as its user, with exactly their rights: a record outside them
answers 404. Bodies are JSON (\`Content-Type: application/json\`, at most 100 kB); a field the API does not
know is refused. Errors are \`{statusCode, error, message, details[]}\`, with one \`{field, message}\` per
problem in the token user's language. Lists page with \`?limit=\` (1–100, default 25) and \`?cursor=\`
(the \`next\` of the previous page). Times are ISO 8601 with an offset, enumerations their codes. Edits
(PATCH) carry the record's \`version\`; a stale one answers 409 with \`current\`. Each token may make a
limited number of requests per minute (429 with Retry-After past it).`;

/** The OpenAPI 3.1 document of every /api/v1 route, generated from the controllers and DTOs. */
export function buildApiDocument(app: NestExpressApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Kehu API')
    .setDescription(INTRO)
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      // An opaque token, not a JWT (the library's default format).
      bearerFormat: 'opaque',
      description: 'A personal API token (kehu_…)',
    })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // Pages are not part of the API: only /api/v1 is documented.
  document.paths = Object.fromEntries(
    Object.entries(document.paths).filter(([path]) => path.startsWith(API_ROOT)),
  );
  withCommonErrors(document.paths as Record<string, Record<string, unknown>>);
  return document;
}

/** The documentation page: swagger-ui's files and Kehu's script that starts it, no inline script (CSP). */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kehu API</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/assets/js/api-docs.js"></script>
</body>
</html>
`;

/**
 * Serves the document at /api/docs.json and swagger-ui at /api/docs, both public (they describe the
 * API, they open nothing). Mounted before the app starts, so Nest's not-found handler comes after.
 */
export function mountApiDocs(app: NestExpressApplication): void {
  let document: OpenAPIObject | undefined;
  const http = app.getHttpAdapter().getInstance() as Express;
  http.get('/api/docs.json', (_req: Request, res: Response) => {
    document ??= buildApiDocument(app);
    res.json(document);
  });
  http.get('/api/docs', (_req: Request, res: Response) => {
    res.type('html').send(PAGE);
  });
  app.useStaticAssets(SWAGGER_UI_DIR, { prefix: '/api/docs/assets/', index: false, maxAge: '1d' });
}
