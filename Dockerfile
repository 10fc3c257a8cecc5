# Kehu: build the TypeScript, then run it on a slim Node LTS image as a non-root user.
# Configure with DATABASE_URL (required), SESSION_SECRET (required), SMTP_URL and BASE_URL.
FROM node:26-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
RUN npm run build

FROM node:26-slim
# MALLOC_MMAP_THRESHOLD_: the C allocator gives blocks of 1 MiB or more back when freed, so each
# sign-in's argon2 hash (19 MiB) does not stay resident (scripts/server-launch.ts).
ENV NODE_ENV=production PORT=3000 MALLOC_MMAP_THRESHOLD_=1048576
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY src/i18n ./src/i18n
COPY src/users/common-passwords.txt ./src/users/common-passwords.txt
COPY views ./views
COPY public ./public
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--max-old-space-size=256", "dist/src/main.js"]
