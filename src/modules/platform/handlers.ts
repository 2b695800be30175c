import type { Handlers } from '../../http/registry.ts';
import type { PlatformService } from './service.ts';

type PlatformOps = 'getRoot' | 'getHealth' | 'getReadiness' | 'getOpenApi' | 'getDocs';

export function platformHandlers(platform: PlatformService): Handlers<PlatformOps> {
  return {
    getRoot: () => ({ status: 200, body: { message: 'Workforce Intelligence API' } }),
    getHealth: () => ({ status: 200, body: { status: 'ok' } }),
    getReadiness: async ({ meta }) =>
      (await platform.isReady())
        ? { status: 200, body: { status: 'ready' } }
        : {
            status: 503,
            body: {
              status: 'not_ready',
              error: { code: 'INTERNAL_ERROR', message: 'The service is not ready.', details: [], requestId: meta.requestId },
            },
          },
    getOpenApi: () => ({ status: 200, body: platform.openApiDocument() }),
    getDocs: async () => ({ status: 200, body: await platform.docsHtml() }),
  };
}
