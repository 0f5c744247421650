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
# Node's flags, unless NODE_OPTIONS is set: scripts/node-flags.sh (a 64 MB young generation, V8's helper threads sized
# to the container's CPUs: its cpuset or CPU quota). Set NODE_OPTIONS to choose them yourself.
CMD ["sh", "-c", "export NODE_OPTIONS=\"${NODE_OPTIONS:-$(sh scripts/node-flags.sh)}\"; exec node dist/apps/main.js"]
