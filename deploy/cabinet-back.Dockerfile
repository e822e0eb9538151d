# The cabinet-back service: the shared image with SERVICE=cabinet-back. Build from the repository root:
#   docker build -f deploy/cabinet-back.Dockerfile -t energy-cabinet-back .
# (compose.yaml builds it the same way.)
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/ packages/
RUN find packages -type f ! -name package.json -delete && npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 SERVICE=cabinet-back
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app/node_modules node_modules
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY packages/ packages/
RUN npm run build --if-present
USER node
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "packages/cabinet-back/src/main.ts"]
