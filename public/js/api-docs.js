// Starts swagger-ui on /api/docs with Kehu's OpenAPI document (a file, not inline: the CSP forbids those).
/* global SwaggerUIBundle */
window.addEventListener('DOMContentLoaded', () => {
  SwaggerUIBundle({
    url: '/api/docs.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: false,
  });
});
