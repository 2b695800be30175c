import type { Handlers } from '../../http/registry.ts';
import type { CorrectionsService } from './corrections-service.ts';

type CorrectionOps =
  | 'createCorrection'
  | 'listCorrections'
  | 'getCorrection'
  | 'updateCorrection'
  | 'approveCorrection'
  | 'rejectCorrection'
  | 'requestCorrectionClarification'
  | 'cancelCorrection';

export function correctionHandlers(corrections: CorrectionsService): Handlers<CorrectionOps> {
  return {
    createCorrection: async ({ actor, params, body, meta }) => ({
      status: 201,
      body: await corrections.create(actor, params.sessionId, body, meta),
    }),
    listCorrections: async ({ actor, query }) => ({ status: 200, body: await corrections.list(actor, query) }),
    getCorrection: async ({ actor, params }) => ({ status: 200, body: await corrections.get(actor, params.correctionId) }),
    updateCorrection: async ({ actor, params, body, meta }) => ({
      status: 200,
      body: await corrections.update(actor, params.correctionId, body, meta),
    }),
    approveCorrection: async ({ actor, params, body, meta }) => ({
      status: 200,
      body: await corrections.approve(actor, params.correctionId, body as typeof body | undefined, meta),
    }),
    rejectCorrection: async ({ actor, params, body, meta }) => ({
      status: 200,
      body: await corrections.reject(actor, params.correctionId, body, meta),
    }),
    requestCorrectionClarification: async ({ actor, params, body, meta }) => ({
      status: 200,
      body: await corrections.requestClarification(actor, params.correctionId, body, meta),
    }),
    cancelCorrection: async ({ actor, params, meta }) => ({ status: 200, body: await corrections.cancel(actor, params.correctionId, meta) }),
  };
}
