import type { RateRule } from '../../auth/rate-limit.ts';
import type { Config, Limit } from '../../config.ts';

/** `password_change:user`: wrong current passwords per caller (01 §4.6, fixed by the spec). */
export const PASSWORD_CHANGE_LIMIT: Limit = { max: 5, windowSeconds: 900 };
/** `ws_ticket:user`: issued WebSocket tickets per caller (01 §4.6, fixed by the spec). */
export const WS_TICKET_LIMIT: Limit = { max: 20, windowSeconds: 60 };

/** Every rate rule of the auth operations (01 §4.6); the configurable ones come from config.rateLimits. */
export function authRateRules(limits: Config['rateLimits']) {
  return {
    loginIp: { scope: 'login:ip', ...limits.loginPerIp },
    loginEmail: { scope: 'login:email', ...limits.loginPerEmail },
    forgotIp: { scope: 'forgot:ip', ...limits.forgot },
    forgotEmail: { scope: 'forgot:email', ...limits.forgot },
    resetIp: { scope: 'reset:ip', ...limits.reset },
    activateIp: { scope: 'activate:ip', ...limits.activation },
    passwordChange: { scope: 'password_change:user', ...PASSWORD_CHANGE_LIMIT },
    wsTicket: { scope: 'ws_ticket:user', ...WS_TICKET_LIMIT },
  } satisfies Record<string, RateRule>;
}
export type AuthRateRules = ReturnType<typeof authRateRules>;
