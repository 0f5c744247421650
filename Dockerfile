# For users with a Docker engine (none runs on the development machines).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
COPY package.json package-lock.json .npmrc ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build
ENV HOST=0.0.0.0
EXPOSE 8080 8081
# A 64 MB young generation (see scripts/start.sh); override NODE_OPTIONS to trade CPU for RSS.
ENV NODE_OPTIONS=--max-semi-space-size=64
CMD ["node", "dist/apps/main.js"]
