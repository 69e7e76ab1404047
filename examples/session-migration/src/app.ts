/**
 * The Express 5 app: log in, a profile with a visit counter kept in the session, log out, and the health
 * endpoints. It knows nothing of which store holds the sessions: that is the point of the migration.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import session, { type Store } from 'express-session';
import type { Config } from './config.ts';
import { type Probe, readiness } from './readiness.ts';
import type { Services } from './services.ts';

declare module 'express-session' {
  interface SessionData {
    user: { name: string; loggedInAt: string };
    views: number;
  }
}

export interface AppOptions {
  store: Store;
  probes: Record<string, Probe>;
  /** Probes whose failure degrades the instance without making it unready. */
  optionalProbes?: string[];
  secret: string;
  maxAgeMs: number;
  /** Extra fields for /readyz (the cutover store's counters). */
  readyExtras?: () => Record<string, unknown>;
}

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'alive' });
  });

  app.get('/readyz', async (_req, res) => {
    const result = await readiness(options.probes, { optional: options.optionalProbes ?? [] });
    res.status(result.ready ? 200 : 503).json({
      status: result.ready ? (result.degraded.length ? 'degraded' : 'ready') : 'unavailable',
      down: result.down,
      degraded: result.degraded,
      checks: result.checks,
      ...options.readyExtras?.(),
    });
  });

  app.use(
    session({
      store: options.store,
      secret: options.secret,
      name: 'sid',
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: options.maxAgeMs, httpOnly: true, sameSite: 'lax' },
    }),
  );

  app.post('/login', async (req: Request, res: Response) => {
    const name = typeof req.body?.username === 'string' ? req.body.username.trim() : '';
    if (!name) {
      res.status(400).json({ error: 'send {"username": "…"}' });
      return;
    }
    // A new session id at login, so a session fixed before login is worthless.
    await new Promise<void>((resolve, reject) => req.session.regenerate((e) => (e ? reject(e) : resolve())));
    req.session.user = { name, loggedInAt: new Date().toISOString() };
    req.session.views = 0;
    res.json({ user: req.session.user });
  });

  app.get('/profile', (req: Request, res: Response) => {
    if (!req.session.user) {
      res.status(401).json({ error: 'not logged in: POST /login first' });
      return;
    }
    req.session.views = (req.session.views ?? 0) + 1;
    res.json({ user: req.session.user, views: req.session.views });
  });

  app.post('/logout', async (req: Request, res: Response) => {
    await new Promise<void>((resolve, reject) => req.session.destroy((e) => (e ? reject(e) : resolve())));
    res.clearCookie('sid').json({ loggedOut: true });
  });

  // A store that cannot answer (Redis or PostgreSQL down) surfaces here: say so in JSON, not an HTML stack.
  app.use((error: Error & { status?: number }, req: Request, res: Response, _next: NextFunction) => {
    if (error.status && error.status < 500) {
      res.status(error.status).json({ error: error.message });
      return;
    }
    console.error(`[session] ${error.message}`);
    // A session saved as the response ends fails after the response is out: then that one line is all to do.
    if (res.headersSent) return;
    // The store is down: drop this request's session so express-session does not try to save it as the 503 ends.
    (req as { session?: unknown }).session = undefined;
    res.status(503).json({ error: 'session store unavailable, try again shortly' });
  });
  return app;
}

/** The app for a configuration and its opened services, as `npm start` serves it. */
export function appFor(config: Config, services: Services): express.Express {
  return createApp({
    store: services.store,
    probes: services.probes,
    optionalProbes: services.optionalProbes,
    secret: config.sessionSecret,
    maxAgeMs: config.sessionMaxAgeMs,
    ...(services.cutoverStats ? { readyExtras: () => ({ cutover: services.cutoverStats }) } : {}),
  });
}
