# Build stage: every dependency, the TypeScript build.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime dependencies only, installed afresh (no dev tools, no build caches).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Runtime: non-root, the compiled code and production dependencies. One image serves every
# service of docker-compose.yml (hub, worker, migrate, admin): each names its command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
# hub 8080, admin dashboard 8081, worker health 8090
EXPOSE 8080 8081 8090
# a larger young generation: ingest allocates per batch, and most of it dies young (docs/benchmarks.md)
CMD ["node", "--max-semi-space-size=64", "dist/apps/hub/src/main.js"]
