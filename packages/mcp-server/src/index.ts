export { ConfigError, DEFAULT_LIMITS, type Limits, parseConfig, type ServerConfig } from './config.ts';
export { assertCommandAllowed, guardClient, PolicyError, ttlForNewKey } from './guard.ts';
export { type HttpServer, serveHttp } from './http.ts';
export { planTools, type RedisMcp, SERVER_NAME, SERVER_VERSION, startRedisMcp } from './server.ts';
export { defineGroup, defineTool, type ToolContext, type ToolDefinition, type ToolGroup } from './tool.ts';
export { GROUPS, PROFILES, resolveGroups } from './tools/index.ts';
