/**
 * Connects to one instance for an audit: standalone first, then the cluster client when HELLO says the server
 * runs in cluster mode (or when asked for it). The INFO ready check is off so a read-only ACL user, who may not
 * run INFO, connects without warnings.
 */
import { closeClient, connect } from '@redis-agent-kit/patterns';

export async function connectInstance(url: string, cluster: boolean | undefined, timeoutMs: number) {
  const common = { url, readyCheck: false, connectTimeoutMs: timeoutMs, connectAttempts: 2, reconnect: false };
  if (cluster === undefined) {
    const probe = await connect({ ...common, cluster: false });
    let mode: unknown;
    try {
      const hello = (await probe.call('HELLO', '2')) as unknown[];
      mode = hello[hello.indexOf('mode') + 1];
    } catch (error) {
      // A server without HELLO: the open probe would keep the process alive after the report.
      await closeClient(probe);
      throw error;
    }
    if (mode !== 'cluster') return probe;
    await closeClient(probe);
  }
  try {
    return await connect({ ...common, cluster: true });
  } catch (error) {
    // connect() has redacted the message already.
    throw new Error(`${(error as Error).message} (a read-only ACL user needs +cluster|slots to find the masters)`, {
      cause: error,
    });
  }
}
