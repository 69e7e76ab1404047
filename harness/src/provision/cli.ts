import { ProvisionError, provisionServers } from './debian.ts';

try {
  provisionServers((line) => console.log(`[provision] ${line}`));
} catch (error) {
  if (error instanceof ProvisionError) {
    console.error(`[provision] ${error.message}`);
    process.exit(1);
  }
  throw error;
}
