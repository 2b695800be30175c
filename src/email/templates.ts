/** Email templates (01 §4.7): every interpolated value is HTML-escaped; each email has a text and an HTML part. */

export interface RenderedEmail {
  template: string;
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function layout(title: string, paragraphs: string[], link: { href: string; label: string }): string {
  return [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h1>${escapeHtml(title)}</h1>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>`,
    '</body></html>',
  ].join('\n');
}

export function invitationEmail(input: { fullName: string; link: string; expiresInHours: number }): RenderedEmail {
  const lines = [
    `Hello ${input.fullName},`,
    'An account has been created for you on Workforce OS. Choose a password to activate it.',
    `The link expires in ${input.expiresInHours} hours.`,
  ];
  return {
    template: 'account_invitation',
    subject: 'Account invitation',
    text: `${lines.join('\n\n')}\n\n${input.link}\n`,
    html: layout('Account invitation', lines, { href: input.link, label: 'Activate your account' }),
  };
}

export function passwordResetEmail(input: { fullName: string; link: string; expiresInMinutes: number }): RenderedEmail {
  const lines = [
    `Hello ${input.fullName},`,
    'Someone asked to reset the password of your Workforce OS account. If it was not you, ignore this email.',
    `The link expires in ${input.expiresInMinutes} minutes.`,
  ];
  return {
    template: 'password_reset',
    subject: 'Password reset',
    text: `${lines.join('\n\n')}\n\n${input.link}\n`,
    html: layout('Password reset', lines, { href: input.link, label: 'Reset your password' }),
  };
}
