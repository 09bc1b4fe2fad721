import { html } from './html.js';
import { DASHBOARD, page } from './layout.js';

/**
 * The sign-in form: one password field for the API's bearer token, posted (never put in
 * the URL) to `/dashboard/sign-in`, which answers with a session cookie.
 *
 * @example
 * signInPage({ next: '/dashboard/endpoints?status=OFFLINE', error: null })
 */
export function signInPage(options: { readonly next: string; readonly error: string | null; readonly signedOut?: boolean }): string {
  const main = html`<h1>Sign in</h1>
<form method="post" action="${DASHBOARD}/sign-in" class="sign-in">
  ${options.error === null ? '' : html`<p class="error" role="alert" id="sign-in-error">${options.error}</p>`}
  ${options.signedOut === true ? html`<p role="status">You are signed out.</p>` : ''}
  <p>Enter the server's API token (the one <code>simfleet serve</code> was started with). The browser keeps a session cookie, not the token.</p>
  <div class="field"><label for="token">API token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required autofocus${options.error === null ? '' : html` aria-invalid="true" aria-describedby="sign-in-error"`}></div>
  <input type="hidden" name="next" value="${options.next}">
  <div class="actions"><button type="submit">Sign in</button></div>
</form>`;
  return page({ title: 'Sign in', signedIn: false }, main);
}
