/**
 * `npm run servers`: starts the targets, prints their URLs, and keeps them up until Ctrl-C, which stops
 * every server it started (the local provider's signal hooks).
 */
import { startTargets } from './index.ts';

const started = await startTargets();
console.log(
  `[targets] running (pids ${JSON.stringify(started.targets.flatMap((t) => t.pids))}); press Ctrl-C to stop them`,
);
setInterval(() => {}, 1 << 30);
